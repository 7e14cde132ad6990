"""Browser test of notifications.js in headless Chromium (driven by GatewayBrowserTests.swift).

Loads the gateway's demo page as a signed-in user, changes the case status from the page, and
expects the reminder toast within 2 seconds (so over Server-Sent Events, not the 30 s poll).
Then snoozes that toast from its dropdown, changes the status again and dismisses the second
toast. Finally expects the collapsed "n more held back" entry (what the rate limit held back,
set up by the driver) and opens it into the held items. Prints `toast_latency_ms=<n>` lines; exits non-zero with a reason on any failure.

Usage: toast_test.py BASE_URL TOKEN SAG_ID SCREENSHOT_PATH
"""
import json
import sys
import time
import urllib.request

from headless import chromium, fail, finish
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

TOAST_DEADLINE_S = 2.0


def pending(base, token):
    request = urllib.request.Request(base + "/api/v1/reminders/pending/me", headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def held(base, token):
    request = urllib.request.Request(base + "/api/v1/reminders/held/me", headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def open_held_entry(driver, base, token):
    expected = held(base, token)
    if expected["count"] < 1:
        fail("the driver set up no held items: %r" % expected)
    label = f"{expected['count']} more held back"
    try:
        toggle = WebDriverWait(driver, 5, poll_frequency=0.05).until(
            EC.visibility_of_element_located((By.CSS_SELECTOR, ".reminder-held .reminder-held-toggle"))
        )
        WebDriverWait(driver, 5, poll_frequency=0.05).until(lambda d: toggle.text == label)
    except Exception:
        fail("no collapsed %r entry; page has %r" % (label, [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".reminder-held")]))
    if any(e.is_displayed() for e in driver.find_elements(By.CSS_SELECTOR, ".reminder-held-item")):
        fail("the held entry is open before it was clicked")
    toggle.click()
    try:
        WebDriverWait(driver, 5, poll_frequency=0.05).until(
            lambda d: len([e for e in d.find_elements(By.CSS_SELECTOR, ".reminder-held-item") if e.is_displayed()]) == len(expected["items"])
        )
    except Exception:
        fail("the held entry did not open into %d items" % len(expected["items"]))
    titles = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".reminder-held-item .reminder-held-title")]
    if titles != [item["title"] for item in expected["items"]]:
        fail("held titles %r, expected %r" % (titles, [item["title"] for item in expected["items"]]))
    if toggle.get_attribute("aria-expanded") != "true":
        fail("the opened held entry does not say it is expanded")
    print(f"opened held entry: {label}", flush=True)


def change_status_and_wait_for_toast(driver, status):
    field = driver.find_element(By.ID, "new-status")
    field.clear()
    field.send_keys(status)
    started = time.monotonic()
    driver.find_element(By.ID, "change-status").click()
    try:
        toast = WebDriverWait(driver, TOAST_DEADLINE_S, poll_frequency=0.02).until(
            EC.visibility_of_element_located((By.CSS_SELECTOR, ".reminder-toast.show:not([data-hiding])"))
        )
    except Exception:
        fail(f"no toast within {TOAST_DEADLINE_S} s after changing the status to {status}")
    latency_ms = (time.monotonic() - started) * 1000
    print(f"toast_latency_ms={latency_ms:.0f} status={status}", flush=True)
    return toast


def main():
    base, token, sag_id, screenshot = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    driver = chromium(1100, 760)
    try:
        driver.get(f"{base}/demo?sag_id={sag_id}#token={token}")
        # Initialised and the event stream open before anything happens on the case.
        WebDriverWait(driver, 15, poll_frequency=0.05).until(
            lambda d: d.execute_script("return !!(window.ReminderNotifications && window.ReminderNotifications.streamConnected)")
        )
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "case-status").text not in ("", "—"))
        logs = [entry["message"] for entry in driver.get_log("browser")]
        if not any("Reminder system initialized" in line for line in logs):
            fail("the console did not log the initialisation line: %r" % logs)

        toast = change_status_and_wait_for_toast(driver, "i_gang")
        reminder_id = toast.get_attribute("data-reminder-id")
        time.sleep(0.3)  # let the layout settle for the screenshot only
        driver.save_screenshot(screenshot)

        Select(toast.find_element(By.CSS_SELECTOR, "select.reminder-snooze")).select_by_value("15")
        WebDriverWait(driver, 5).until(EC.staleness_of(toast))
        if any(str(entry["reminder_id"]) == reminder_id for entry in pending(base, token)):
            fail("the snoozed reminder is still pending")
        print(f"snoozed reminder {reminder_id}", flush=True)

        toast = change_status_and_wait_for_toast(driver, "afsluttet")
        second_id = toast.get_attribute("data-reminder-id")
        toast.find_element(By.CSS_SELECTOR, "button.reminder-dismiss").click()
        WebDriverWait(driver, 5).until(EC.staleness_of(toast))
        if pending(base, token):
            fail("a reminder is still pending after dismiss: %r" % pending(base, token))
        print(f"dismissed reminder {second_id}", flush=True)
        open_held_entry(driver, base, token)
        finish(driver)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
