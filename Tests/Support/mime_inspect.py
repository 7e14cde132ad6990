#!/usr/bin/env python3
"""Parses a raw e-mail with Python's email package and prints what a mail
client would see, as JSON: decoded headers, the parts, and any defects.

    mime_inspect.py FILE.eml
"""
import json
import sys
from email import policy
from email.parser import BytesParser


def main():
    with open(sys.argv[1], "rb") as f:
        message = BytesParser(policy=policy.default).parse(f)
    from_header = message["From"]
    mailbox = from_header.addresses[0] if from_header is not None and from_header.addresses else None
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        parts.append({
            "content_type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transfer_encoding": part.get("Content-Transfer-Encoding"),
            "content": part.get_content(),
        })
    defects = [type(d).__name__ for d in message.defects]
    for part in message.walk():
        defects += [type(d).__name__ for d in part.defects]
    print(json.dumps({
        "from_name": mailbox.display_name if mailbox else None,
        "from_address": mailbox.addr_spec if mailbox else None,
        "to": str(message["To"]),
        "subject": str(message["Subject"]),
        "message_id": str(message["Message-ID"]),
        "date": str(message["Date"]),
        "content_type": message.get_content_type(),
        "parts": parts,
        "defects": sorted(set(defects)),
    }))


if __name__ == "__main__":
    sys.exit(main())
