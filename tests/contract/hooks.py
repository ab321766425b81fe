"""Schemathesis hooks for scripts/contract.

A report is accepted only when `occurred_at` lies within the last ten years by the service's
clock, and `kind: violence` names a form of violence. A fuzzer drawing date-times from all of
history almost never files a case, and without cases it cannot follow the document's links into
the case work. So, for filings only, a well-formed `occurred_at` is moved to an hour ago and a
violence report without forms gets one. Only values that are already valid are changed, into
other valid values, so a request the schema refuses stays refused.
"""

import re
from datetime import datetime, timedelta, timezone

import schemathesis

RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def is_date_time(value):
    if not isinstance(value, str) or not RFC3339.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@schemathesis.hook("map_body").apply_to(path="/api/v1/incidents", method="POST")
def a_recent_report(ctx, body):
    if not isinstance(body, dict):
        return body
    body = dict(body)
    if is_date_time(body.get("occurred_at")):
        an_hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
        body["occurred_at"] = an_hour_ago.isoformat(timespec="seconds")
    if body.get("kind") == "violence" and "violence_forms" not in body:
        body["violence_forms"] = ["physical"]
    return body
