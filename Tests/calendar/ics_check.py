"""Checks a served calendar feed with independent iCalendar software.

Usage: ics_check.py <feed URL> <expectations.json>

The feed is fetched over HTTP and parsed with the `icalendar` package; recurring
events are expanded with `recurring-ical-events`. The expectations file (written
by the Swift integration test from the project's own recurrence rules) lists, per
event UID, the instants it must occur at within a window, its SEQUENCE, summary
and alarm; and the UIDs that must not be in the feed. Every VTIMEZONE is turned
into a tzinfo by `icalendar` and compared, day by day over the window, with the
IANA zone of the same name. Exits non-zero with one line per difference.
"""

import json
import sys
import urllib.request
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events


def utc(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def main(url, expectations_path):
    with open(expectations_path, encoding="utf-8") as handle:
        expected = json.load(handle)
    with urllib.request.urlopen(url, timeout=30) as response:
        status = response.status
        content_type = response.headers.get("Content-Type", "")
        raw = response.read()
    problems = []
    if status != 200:
        problems.append(f"status {status}")
    if not content_type.startswith("text/calendar"):
        problems.append(f"content type {content_type!r}")

    # Content lines: CRLF only, at most 75 octets each (RFC 5545 section 3.1).
    if not raw.endswith(b"\r\n"):
        problems.append("the feed does not end with CRLF")
    for number, line in enumerate(raw.split(b"\r\n")[:-1], start=1):
        if len(line) > 75:
            problems.append(f"physical line {number} has {len(line)} octets")
        if b"\n" in line or b"\r" in line:
            problems.append(f"physical line {number} holds a bare line break")
        line.decode("utf-8")  # each folded piece must be valid UTF-8 on its own

    calendar = icalendar.Calendar.from_ical(raw)
    for required in ("VERSION", "PRODID"):
        if required not in calendar:
            problems.append(f"the calendar has no {required}")

    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    for uid, event in events.items():
        for required in ("DTSTAMP", "DTSTART", "SEQUENCE", "SUMMARY"):
            if required not in event:
                problems.append(f"{uid}: no {required}")
        for error in getattr(event, "errors", []):
            problems.append(f"{uid}: parse error {error}")

    # Every VTIMEZONE, read by icalendar itself, matches the IANA zone over the window.
    window_start = utc(expected["window_start"])
    window_end = utc(expected["window_end"])
    zones = list(calendar.walk("VTIMEZONE"))
    if sorted(str(zone["TZID"]) for zone in zones) != sorted(expected["zones"]):
        problems.append(f"VTIMEZONEs {[str(z['TZID']) for z in zones]}, expected {expected['zones']}")
    for component in zones:
        tzid = str(component["TZID"])
        ours = component.to_tz(lookup_tzid=False)
        reference = ZoneInfo(tzid)
        instant = window_start
        while instant < window_end:
            mine = instant.astimezone(ours).utcoffset()
            theirs = instant.astimezone(reference).utcoffset()
            if mine != theirs:
                problems.append(f"VTIMEZONE {tzid} at {instant.isoformat()}: offset {mine}, the zone has {theirs}")
                break
            instant += timedelta(hours=6)

    for uid in expected["absent"]:
        if uid in events:
            problems.append(f"{uid} is in the feed but must not be")

    expander = recurring_ical_events.of(calendar)
    for item in expected["events"]:
        uid = item["uid"]
        event = events.get(uid)
        if event is None:
            problems.append(f"{uid} is missing")
            continue
        if int(event["SEQUENCE"]) != item["sequence"]:
            problems.append(f"{uid}: SEQUENCE {event['SEQUENCE']}, expected {item['sequence']}")
        if str(event["SUMMARY"]) != item["summary"]:
            problems.append(f"{uid}: SUMMARY {str(event['SUMMARY'])!r}, expected {item['summary']!r}")
        if "description" in item and str(event.get("DESCRIPTION")) != item["description"]:
            problems.append(f"{uid}: DESCRIPTION {str(event.get('DESCRIPTION'))!r}, expected {item['description']!r}")
        if "tzid" in item:
            tzid = event["DTSTART"].params.get("TZID")
            if tzid != item["tzid"]:
                problems.append(f"{uid}: DTSTART TZID {tzid}, expected {item['tzid']}")
        alarms = list(event.walk("VALARM"))
        if len(alarms) != 1:
            problems.append(f"{uid}: {len(alarms)} alarms")
        else:
            trigger = alarms[0]["TRIGGER"].dt
            if trigger != timedelta(seconds=item["alarm_offset_seconds"]):
                problems.append(f"{uid}: alarm {trigger}, expected {item['alarm_offset_seconds']} s")

        start = utc(item["window_start"])
        end = utc(item["window_end"])
        occurrences = [
            occurrence["DTSTART"].dt
            for occurrence in expander.between(start, end)
            if str(occurrence["UID"]) == uid
        ]
        got = sorted(moment.astimezone(timezone.utc) for moment in occurrences)
        want = [utc(text) for text in item["occurrences"]]
        if got != want:
            missing = [w.isoformat() for w in want if w not in got][:5]
            extra = [g.isoformat() for g in got if g not in want][:5]
            problems.append(
                f"{uid}: {len(got)} occurrences from the parser, {len(want)} from ours; "
                f"ours only: {missing}; parser only: {extra}"
            )
        else:
            print(f"{uid}: {len(got)} occurrences agree")

    for problem in problems:
        print("PROBLEM:", problem)
    print(f"events={len(events)} zones={len(zones)} problems={len(problems)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
