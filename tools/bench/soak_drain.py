#!/usr/bin/env python3
"""Waits until Ramal has applied a soak load, then prints what it stored as JSON.

usage: soak_drain.py BASE_URL ADMIN_TOKEN SOAK_RESULT_JSON MAX_SECONDS

SOAK_RESULT_JSON is soak.lua's result (what was sent, every request answered). Three stages,
timed from the call of this script (just after the load ended):
  1. calls: the history's exact total (GET /api/twilio/call-logs, first page) equals the calls
     sent, and the durable spool is empty (a `ramal_spool_*` depth/pending gauge in /metrics,
     when the server has one: events may be acknowledged before they reach the database);
  2. events: the stored + duplicate event counters stop moving (two polls in a row);
  3. recordings: every completed recording sent is filed (ramal_recording_jobs_done_total).
Each stage gives up after MAX_SECONDS in total; the JSON then says what was reached.
"""
import json
import re
import sys
import time
import urllib.request

base, token, sent, max_seconds = sys.argv[1].rstrip("/"), sys.argv[2], json.loads(sys.argv[3]), float(sys.argv[4])
POLL = 0.25
SPOOL = re.compile(r"^(ramal_spool_\w*(?:depth|pending)\w*)(?:\{[^}]*\})?\s+(\S+)$", re.M)
COUNTER = re.compile(r"^(ramal_[a-z_]+_total)\s+(\S+)$", re.M)
HIST = re.compile(r'^ramal_http_request_duration_seconds_(bucket|sum|count)\{route="([^"]+)"(?:,le="([^"]+)")?\}\s+(\S+)$', re.M)


def get(path, auth=False):
    req = urllib.request.Request(base + path)
    if auth:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read().decode()


def metrics():
    text = get("/metrics")
    counters = {k: float(v) for k, v in COUNTER.findall(text)}
    spool = {k: float(v) for k, v in SPOOL.findall(text)}
    return text, counters, spool


def calls_stored():
    return json.loads(get("/api/twilio/call-logs?limit=1", auth=True))["total"]


def routes(text):
    """Server-side latency per route: count, mean, and the bucket bound holding p50/p99."""
    out = {}
    for kind, route, le, value in HIST.findall(text):
        r = out.setdefault(route, {"buckets": []})
        if kind == "bucket":
            r["buckets"].append((float("inf") if le == "+Inf" else float(le), float(value)))
        else:
            r[kind] = float(value)
    result = {}
    for route, r in out.items():
        count = r.get("count", 0)
        if not count:
            continue

        def bound(q):
            for le, n in r["buckets"]:
                if n >= q * count:
                    return le * 1000
            return float("inf")

        result[route] = {"count": int(count), "mean_ms": r.get("sum", 0) / count * 1000,
                         "p50_le_ms": bound(0.5), "p99_le_ms": bound(0.99)}
    return result


def main():
    started = time.monotonic()
    deadline = started + max_seconds
    kinds = sent["kinds"]
    want_calls = kinds["V"]
    want_events = kinds["V"] + kinds["S"] + kinds["C"] + kinds["R"]
    out = {"calls_sent": want_calls, "events_sent": want_events, "duplicates_sent": kinds["D"],
           "recordings_sent": kinds["C"], "spool_metric": None}

    # 1. Every call in the history, nothing left in the spool.
    stored = -1
    while True:
        text, counters, spool = metrics()
        stored = calls_stored()
        depth = sum(spool.values())
        out["spool_metric"] = ",".join(sorted(spool)) or None
        if stored == want_calls and depth == 0:
            out["drain_calls_s"] = time.monotonic() - started
            break
        if time.monotonic() > deadline:
            out["drain_calls_s"] = None
            break
        time.sleep(POLL)
    out["calls_stored"] = stored

    # 2. The event counters settle.
    last = None
    while time.monotonic() < deadline:
        text, counters, spool = metrics()
        now = (counters.get("ramal_events_stored_total"), counters.get("ramal_events_duplicate_total"))
        if now == last:
            break
        last = now
        time.sleep(max(POLL, 1.0))
    out["events_stored"] = counters.get("ramal_events_stored_total")
    out["duplicates_ignored"] = counters.get("ramal_events_duplicate_total")
    out["signatures_rejected"] = counters.get("ramal_webhook_signatures_rejected_total")
    out["calls_refused"] = counters.get("ramal_calls_refused_total")
    out["routes"] = routes(text)

    # 3. Every completed recording filed.
    while True:
        text, counters, spool = metrics()
        done = counters.get("ramal_recording_jobs_done_total", 0)
        if done >= kinds["C"]:
            out["drain_recordings_s"] = time.monotonic() - started
            break
        if time.monotonic() > deadline:
            out["drain_recordings_s"] = None
            break
        time.sleep(POLL)
    out["recordings_filed"] = counters.get("ramal_recording_jobs_done_total")
    out["recording_attempts_failed"] = counters.get("ramal_recording_jobs_failed_total")
    out["recordings_dead"] = counters.get("ramal_recording_jobs_dead_total")
    out["recording_bytes_filed"] = counters.get("ramal_recording_bytes_filed_total")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
