#!/usr/bin/env python3
"""Prints scripts/bench-soak's tables from the per-backend result files.

usage: soak_report.py RESULTS_DIR BACKEND...

RESULTS_DIR/<backend>/ holds hello.json (wrk summary of the actix-web hello world, measured just
before the backend), soak.json (soak.lua's result), drain.json (soak_drain.py), phases.json
(load end, warm-up and tolerance, in seconds since the load started) and samples.log, one line
per sample: seconds since the load started, VmRSS, RssAnon, RssFile (KiB), spool backlog and
events applied so far (stored + duplicates; "-" when the server has no such metric).
"""
import json
import os
import sys

NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def load(path):
    with open(path) as f:
        return json.load(f)


def mib(kib):
    return kib / 1024


def num(v):
    return None if v == "-" else float(v)


def samples(path):
    out = []
    for line in open(path):
        f = line.split()
        if len(f) >= 4:
            out.append({"t": float(f[0]), "rss": float(f[1]), "anon": float(f[2]), "file": float(f[3]),
                        "pending": num(f[4]) if len(f) > 4 else None,
                        "applied": num(f[5]) if len(f) > 5 else None})
    return out


def closest(points, t):
    return min(points, key=lambda s: abs(s["t"] - t))


def memory(run):
    all_ = run["samples"]
    ph = run["phases"]
    during = [s for s in all_ if 0 <= s["t"] <= ph["load_end"]] or all_
    before = [s for s in all_ if s["t"] < 0]
    start = (before[-1] if before else during[0])["rss"]
    warm = closest(during, ph["warmup"])["rss"]
    last = during[-1]
    tol = ph["tolerance_pct"] / 100
    # Least-squares slope of the samples after warm-up (MiB per minute): a leak shows as a
    # steady positive slope even when the end is within the tolerance.
    tail = [s for s in during if s["t"] >= ph["warmup"]]
    slope = 0.0
    if len(tail) >= 2:
        mt = sum(s["t"] for s in tail) / len(tail)
        mr = sum(s["rss"] for s in tail) / len(tail)
        var = sum((s["t"] - mt) ** 2 for s in tail)
        if var:
            slope = sum((s["t"] - mt) * (s["rss"] - mr) for s in tail) / var * 60 / 1024
    return {"during": during, "start": start, "warm": warm,
            "middle": closest(during, ph["load_end"] / 2)["rss"], "end": last["rss"],
            "max": max(s["rss"] for s in all_), "flat": abs(last["rss"] - warm) <= tol * warm,
            "growth_pct": (last["rss"] - warm) / warm * 100, "last": last, "slope": slope}


def fmt_ms(v):
    return "-" if v is None else (f"{v:.2f} ms" if v < 10 else f"{v:.0f} ms")


def check(got, want, drained):
    if got is None:
        return f"? / {want:,}"
    verdict = "OK" if int(got) == want else ("MISMATCH" if drained else "not drained yet")
    return f"{int(got):,} / {want:,} {verdict}"


def main():
    results, backends = sys.argv[1], sys.argv[2:]
    runs = {}
    for b in backends:
        d = os.path.join(results, b)
        if not os.path.exists(os.path.join(d, "drain.json")):
            continue
        r = {"hello": load(os.path.join(d, "hello.json")), "soak": load(os.path.join(d, "soak.json")),
             "drain": load(os.path.join(d, "drain.json")), "phases": load(os.path.join(d, "phases.json")),
             "samples": samples(os.path.join(d, "samples.log"))}
        r["mem"] = memory(r)
        last = r["mem"]["last"]
        r["applied_at_end"] = last["applied"]
        r["backlog_at_end"] = last["pending"]
        runs[b] = r
    if not runs:
        print("no backend finished: nothing to report")
        return 1
    cols = list(runs)
    rows = []

    def row(label, fn):
        rows.append(f"| {label} | " + " | ".join(fn(runs[b]) for b in cols) + " |")

    def drained(r):
        return r["drain"]["drain_calls_s"] is not None

    def applied_rate(r):
        a = r["applied_at_end"]
        return "-" if a is None else f"{a / r['phases']['load_end']:,.0f}"

    def drain_rate(r):
        a, t = r["applied_at_end"], r["drain"]["drain_calls_s"]
        total = (r["drain"]["events_stored"] or 0) + (r["drain"]["duplicates_ignored"] or 0)
        # Under a second of drain says nothing about a rate.
        return "-" if a is None or not t or t < 1 or total <= a else f"{(total - a) / t:,.0f}"

    row("load (wrk: 2 threads)", lambda r: f"{r['soak']['seconds']:.0f} s")
    row("requests sent, every one answered", lambda r: f"{r['soak']['requests']:,}")
    row("**requests/s**", lambda r: f"**{r['soak']['rps']:,.0f}**")
    row("latency p50 / p99 / max", lambda r: " / ".join(fmt_ms(r["soak"][k]) for k in ("p50_ms", "p99_ms", "max_ms")))
    row("actix-web hello world just before: req/s (p99)", lambda r: f"{r['hello']['rps']:,.0f} ({fmt_ms(r['hello']['p99_ms'])})")
    row("**ratio to hello world**", lambda r: f"**{r['soak']['rps'] / r['hello']['rps']:.3f}**"
        + (" (paced: not a capacity figure)" if r["phases"].get("rate") else ""))
    row("non-2xx answers / socket errors", lambda r: f"{r['soak']['non2xx']} / {r['soak']['socket_errors']}")
    row("events applied to the database/s: during the load / while draining", lambda r: f"{applied_rate(r)} / {drain_rate(r)}")
    row("spool backlog at the end of the load (events)", lambda r: "-" if r["backlog_at_end"] is None else f"{r['backlog_at_end']:,.0f}")
    row("**time to drain**: calls all stored / recordings all filed", lambda r: " / ".join(
        "not reached" if r["drain"][k] is None else f"{r['drain'][k]:.1f} s" for k in ("drain_calls_s", "drain_recordings_s")))
    row("**calls stored / sent**", lambda r: check(r["drain"]["calls_stored"], r["drain"]["calls_sent"], drained(r)))
    row("events stored / sent (unique)", lambda r: check(r["drain"]["events_stored"], r["drain"]["events_sent"], drained(r)))
    row("duplicates ignored / sent", lambda r: check(r["drain"]["duplicates_ignored"], r["drain"]["duplicates_sent"], drained(r)))
    row("recordings filed / completed sent", lambda r: check(r["drain"]["recordings_filed"], r["drain"]["recordings_sent"],
                                                           r["drain"]["drain_recordings_s"] is not None))
    row("recording attempts failed / dead", lambda r: f"{int(r['drain']['recording_attempts_failed'] or 0)} / {int(r['drain']['recordings_dead'] or 0)}")
    row("RSS idle / after warm-up / middle", lambda r: " / ".join(f"{mib(r['mem'][k]):.1f}" for k in ("start", "warm", "middle")) + " MiB")
    row("RSS end of load / max (incl. drain)", lambda r: f"{mib(r['mem']['end']):.1f} / {mib(r['mem']['max']):.1f} MiB")
    row("RSS slope after warm-up", lambda r: f"{r['mem']['slope']:+.2f} MiB/min")
    row("**memory**", lambda r: ("**flat**" if r["mem"]["flat"] else "**GROWING**")
        + f" (end {r['mem']['growth_pct']:+.1f}% vs after {r['phases']['warmup']:.0f} s warm-up; flat = within ±{r['phases']['tolerance_pct']:.0f}%)")
    print("| | " + " | ".join(NAMES.get(b, b) for b in cols) + " |")
    print("|---|" + "---|" * len(cols))
    print("\n".join(rows))

    for b, r in runs.items():
        s, name = r["soak"], NAMES.get(b, b)
        if s["exhausted_threads"]:
            print(f"\nWARNING {name}: the pre-signed requests ran out after {s['seconds']:.0f} s; "
                  "raise SOAK_MAX_RPS for a full-length soak.")
        if s["unanswered"]:
            print(f"\nWARNING {name}: {s['unanswered']} requests were unanswered when wrk stopped, so "
                  "'sent' counts may include requests the server never processed.")
        if not drained(r):
            print(f"\nWARNING {name}: the server had not applied everything after SOAK_DRAIN_MAX_SECONDS.")

    print("\nOver time (t: seconds since the load started; VmRSS MiB; spool backlog in events):")
    for b, r in runs.items():
        during = r["mem"]["during"]
        step = max(1, len(during) // 10)
        points = during[::step]
        if points[-1] is not during[-1]:
            points.append(during[-1])
        print(f"  {NAMES.get(b, b):<11}" + "  ".join(
            f"{p['t']:.0f}s {mib(p['rss']):.0f}" + ("" if p["pending"] is None else f"/{p['pending']:.0f}") for p in points))
        last = r["mem"]["last"]
        print(f"  {'':<11}end of load: {mib(last['anon']):.1f} MiB anonymous (heap, database page caches), "
              f"{mib(last['file']):.1f} MiB file-backed")

    print("\nServer-side latency by route (from /metrics; p50 and p99 are histogram bucket bounds):")
    print("| backend | route | requests | mean | p50 <= | p99 <= |")
    print("|---|---|---|---|---|---|")
    for b, r in runs.items():
        for route, v in sorted(r["drain"]["routes"].items()):
            if not route.startswith("/api/twilio/") or route.startswith("/api/twilio/call-logs"):
                continue
            print(f"| {NAMES.get(b, b)} | {route} | {v['count']:,} | {fmt_ms(v['mean_ms'])} "
                  f"| {fmt_ms(v['p50_le_ms'])} | {fmt_ms(v['p99_le_ms'])} |")
    kinds = next(iter(runs.values()))["soak"]["kinds"]
    total = sum(kinds.values())
    print("\nMix sent: " + ", ".join(
        f"{name} {kinds[k] / total:.1%}" for k, name in (
            ("V", "call TwiML"), ("A", "action TwiML"), ("S", "status callbacks"),
            ("C", "recording completed"), ("R", "recording absent"), ("D", "duplicate deliveries"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
