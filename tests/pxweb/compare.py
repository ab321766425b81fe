"""Reads every PxWeb table of a running Trygg with pxwebpy, as an open-data integrator would,
and compares each cell with the service's own statistics API (as an analyst): the same
numbers, the same cells not published.

    python compare.py BASE_URL REPORTER_TOKEN ANALYST_TOKEN MANAGER_TOKEN seed|compare
"""

import random
import sys
from datetime import date

import requests
from pxweb import PxApi

BASE, REPORTER, ANALYST, MANAGER, STEP = sys.argv[1:6]
STATISTICS = f"{BASE}/api/v1/statistics"


def api(path, token, **params):
    reply = requests.get(f"{BASE}{path}", params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    reply.raise_for_status()
    return reply.json()


def close(case):
    """Closes a case as a security manager would: triaged, then closed."""
    path = f"{BASE}/api/v1/incidents/{case}"
    for body in ({"status": "triaged"}, {"status": "closed", "outcome": "resolved"}):
        etag = requests.get(path, headers={"Authorization": f"Bearer {MANAGER}"}, timeout=30).headers["ETag"]
        reply = requests.post(f"{path}/status", json=body, headers={"Authorization": f"Bearer {MANAGER}", "If-Match": etag}, timeout=30)
        if reply.status_code != 200:
            sys.exit(f"closing failed: {reply.status_code} {reply.text}")


def seed():
    """200 cases over 2025, a year every clock after it has published; 60 of them closed."""
    catalogue = api("/api/v1/catalogue", REPORTER)
    codes = {
        "district": [d["code"] for d in catalogue["districts"]],
        "kind": ["threat", "violence", "harassment", "improper_influence", "vandalism", "public_disorder", "other"],
        "affected_gender": ["woman", "man", "other", "unknown"],
        "affected_age_group": ["under_13", "age_13_17", "age_18_29", "age_30_49", "age_50_64", "age_65_plus", "unknown"],
        "severity": ["low", "medium", "high", "serious"],
    }
    rng = random.Random(7)
    for _ in range(200):
        day = date.fromordinal(date(2025, 1, 1).toordinal() + rng.randrange(365))
        report = {
            "occurred_at": f"{day.isoformat()}T12:00:00+01:00" if day.month in (1, 2, 3, 11, 12) else f"{day.isoformat()}T12:00:00+02:00",
            "place_kind": "school",
            "affected_category": "employee",
            "children_affected": "no",
            "perpetrator_relation": "unknown",
            "perpetrator_influence": "no",
            "description": "Seeded for the PxWeb comparison.",
        }
        report.update({field: rng.choice(values) for field, values in codes.items()})
        if report["kind"] == "violence":
            report["violence_forms"] = ["physical"]
        reply = requests.post(f"{BASE}/api/v1/incidents", json=report, headers={"Authorization": f"Bearer {REPORTER}"}, timeout=30)
        if reply.status_code != 201:
            sys.exit(f"filing failed: {reply.status_code} {reply.text}")
        if rng.random() < 0.3:
            close(reply.json()["id"])


def periods(grain, code):
    """The first day of a period code and of the period after it."""
    if grain == "year":
        year = int(code)
        return date(year, 1, 1), date(year + 1, 1, 1)
    if grain == "quarter":
        year, quarter = code.split("-Q")
        first = date(int(year), 3 * int(quarter) - 2, 1)
    else:
        year, month = code.split("-")
        first = date(int(year), int(month), 1)
    months = 3 if grain == "quarter" else 1
    following = first.month - 1 + months
    return first, date(first.year + following // 12, following % 12 + 1, 1)


def compare():
    px = PxApi(f"{BASE}/api/pxweb/v2", language="sv", disable_cache=True)
    tables = px.all_tables()
    assert len(tables) == 4, tables
    checked = 0
    for table in tables:
        rows = px.get_table_data_all(table["id"], show="code")
        variables = table["variableNames"]
        grain, dimensions = variables[-1], variables[:-2]
        labels = {v: px.get_table_variables(table["id"])[v]["label"] for v in variables}
        # The frame's columns are the variables' labels; its rows one per cell.
        expected = {}
        for row in rows:
            period = row[labels[grain]]
            if period not in expected:
                first, after = periods(grain, period)
                if row[labels["ContentsCode"]] == "median_days_to_close":
                    yearly = api(f"/api/v1/statistics/yearly/{first.year}", ANALYST)
                    sections = yearly["focus_areas"] + [dict(yearly["total"], code="total")]
                    expected[period] = {(s["code"],): s["median_days_to_close"] for s in sections}
                else:
                    reply = api("/api/v1/statistics", ANALYST, group_by=",".join(dimensions), **{"from": first.isoformat(), "to": after.isoformat()})
                    expected[period] = {tuple(c["categories"][d] for d in dimensions): c["count"] for c in reply["cells"]}
            key = tuple(row[labels[d]] for d in dimensions)
            ours = expected[period][key]
            theirs = row["value"]
            if (ours is None) != (theirs is None) or (ours is not None and abs(float(ours) - float(theirs)) > 1e-9):
                sys.exit(f"{table['id']} {key} {period}: pxwebpy read {theirs}, the statistics API gives {ours}")
            checked += 1
        hidden = sum(1 for row in rows if row["value"] is None)
        print(f"{table['id']}: {len(rows)} cells read by pxwebpy, {hidden} not published, all as the statistics API gives them")
    # A selection as an integrator writes one: a quarter, every kind, women only, the age
    # group left out (its total).
    rows = px.get_table_data("TRYGG02", value_codes={"quarter": "2025-Q2", "kind": "*", "gender": "woman"}, show="code")
    labels = {v: px.get_table_variables("TRYGG02")[v]["label"] for v in ("kind", "gender", "age_group")}
    reply = api("/api/v1/statistics", ANALYST, group_by="kind", gender="woman", **{"from": "2025-04-01", "to": "2025-07-01"})
    expected = {c["categories"]["kind"]: c["count"] for c in reply["cells"]}
    assert len(rows) == len(expected), (rows, expected)
    for row in rows:
        assert row[labels["gender"]] == "woman" and row[labels["age_group"]] == "total", row
        if row["value"] != expected[row[labels["kind"]]]:
            sys.exit(f"TRYGG02 women by kind: pxwebpy read {row}, the statistics API gives {expected}")
    checked += len(rows)
    print(f"pxwebpy: {checked} cells compared")


{"seed": seed, "compare": compare}[STEP]()
