#!/usr/bin/env python3
"""Pre-signs a soak load of whole calls, as Twilio would send them, for tools/bench/soak.lua.

usage: soak_gen.py BASE_URL AUTH_TOKEN OUT_DIR [options]   (see --help)

Every call has unique SIDs and follows one of Twilio's flows against Ramal's TwiML (field sets as
in crates/twilio-sim): the TwiML request (voice-incoming for a customer calling, voice for an
agent's browser), the status callbacks of each child leg with SequenceNumber 0, 1, 2...,
the parent's `completed` callback, the recording callback (completed or absent) and the
`<Dial action>` / voicemail action requests. A small share of callbacks is delivered twice
(byte-identical, same I-Twilio-Idempotency-Token), as Twilio's retries do.

Calls are spread over one file per wrk thread (OUT_DIR/requests.N). In each file WINDOW calls
are in progress at once, round-robin: a call's next request comes WINDOW lines after its
previous one, so with fewer connections than WINDOW it is sent after the previous one was
answered (per-call order), while the traffic mix stays steady. Line format, tab-separated:
  KIND PATH SIGNATURE TOKEN BODY
KIND: V call's TwiML request (stores an event, starts a call), A action TwiML request (no event),
S status callback, C recording completed (one filing job), R recording absent, D duplicate of an
S/C/R. OUT_DIR/manifest.json sums up what was written.
"""
import argparse
import base64
import hashlib
import hmac
import json
import multiprocessing
import os
import random
import re
import signal
import sys
import time
from email.utils import formatdate
from urllib.parse import quote_plus

ACCOUNT = "AC0123456789abcdef0123456789abcdef"
APP = "AP0123456789abcdef0123456789abcdef"
API = "2010-04-01"

# Proportions (per 100) of each flow; inbound calls ring every present agent at once.
INBOUND_SHARE = 60
INBOUND = [("answered", 70), ("no-answer-voicemail", 12), ("no-answer-silent", 8), ("caller-hung-up", 10)]
OUTBOUND = [("answered", 65), ("no-answer", 20), ("busy", 10), ("failed", 5)]
# Answered calls whose recording has no audio (Twilio sends `absent`, nothing to file).
ABSENT_SHARE = 0.05
SIP = {"completed": "200", "busy": "486", "failed": "404", "no-answer": "487", "canceled": "487"}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("base_url", help="public URL Ramal signs against, e.g. http://127.0.0.1:18191")
    p.add_argument("auth_token", help="the account's Auth Token (signs every request)")
    p.add_argument("out_dir")
    p.add_argument("--requests", type=int, default=200000, help="lines to write (whole calls)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads: one file each")
    p.add_argument("--window", type=int, default=256, help="calls in progress per file")
    p.add_argument("--duplicates", type=float, default=0.02, help="share of callbacks sent twice")
    p.add_argument("--number", default="+553123916801", help="our Twilio number")
    p.add_argument("--agents", default="ana,bruno,carla", help="identities placing outbound calls")
    p.add_argument("--present", default="ana,bruno", help="identities ringing for inbound calls")
    p.add_argument("--api-base", default="https://api.twilio.com", help="base of RecordingUrl")
    p.add_argument("--seed", type=int, default=20261129)
    return p.parse_args()


SAFE = re.compile(r"[A-Za-z0-9_.-]*\Z").match


class Signer:
    """Twilio's signature: HMAC-SHA1 of the URL followed by every name and value, sorted."""

    def __init__(self, base, token):
        self.base = base.rstrip("/")
        self.key = token.encode()
        self.encoded = {}  # quote_plus is most of the cost: repeated values are encoded once

    def quote(self, v):
        if SAFE(v):
            return v
        q = self.encoded.get(v)
        if q is None:
            q = quote_plus(v)
            if len(self.encoded) < 100000:
                self.encoded[v] = q
        return q

    def line(self, kind, path, params, token):
        items = sorted(params.items())
        s = self.base + path + "".join(k + v for k, v in items)
        sig = base64.b64encode(hmac.new(self.key, s.encode(), hashlib.sha1).digest()).decode()
        q = self.quote
        body = "&".join(k + "=" + q(v) for k, v in items)
        return f"{kind}\t{path}\t{sig}\t{token}\t{body}\n"


def geo(params, prefix, number):
    """Twilio's geographic fields for a phone number (the simulator's table)."""
    if not number.startswith("+"):
        return
    state, city = {"+5511": ("SP", "SAO PAULO"), "+5521": ("RJ", "RIO DE JANEIRO")}.get(number[:5], ("", ""))
    params[prefix + "City"] = city
    params[prefix + "Country"] = "BR" if number.startswith("+55") else ""
    params[prefix + "State"] = state
    params[prefix + "Zip"] = ""


class Flows:
    """Builds each call's requests, in the order Twilio sends them."""

    def __init__(self, args, rng, file_no):
        self.args = args
        self.rng = rng
        self.agents = args.agents.split(",")
        self.present = args.present.split(",")
        # SIDs: prefix, run tag (7 hex, from the seed), file (1 hex), kind (2 hex), serial (22 hex).
        self.tag = "%07x%01x" % (random.Random(args.seed).getrandbits(28), file_no % 16)
        self.serial = 0
        self.now = time.time()
        self.stamps = {}
        self.rec_base = f"{args.api_base.rstrip('/')}/{API}/Accounts/{ACCOUNT}/Recordings/"

    def sid(self, prefix, kind):
        self.serial += 1
        return "%s%s%02x%022x" % (prefix, self.tag, kind, self.serial)

    def token(self):
        h = "%032x" % self.rng.getrandbits(128)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def phone(self):
        return "+55%s9%08d" % (self.rng.choice(("11", "21", "31")), self.rng.randrange(10**8))

    @staticmethod
    def pick(table, rng):
        roll = rng.randrange(100)
        for name, share in table:
            if roll < share:
                return name
            roll -= share
        return table[-1][0]

    def stamp(self, t):
        second = int(self.now + t)
        text = self.stamps.get(second)
        if text is None:
            text = self.stamps[second] = formatdate(second).replace("-0000", "+0000")
        return text

    def leg(self, parent, sid, frm, to, is_phone, events, t):
        """Status callbacks of one child leg: events are (status, seconds after start, talk)."""
        out = []
        for seq, (status, at, talk) in enumerate(events):
            p = {"AccountSid": ACCOUNT, "ApiVersion": API, "CallSid": sid, "ParentCallSid": parent,
                 "CallStatus": status, "Direction": "outbound-dial", "From": frm, "To": to,
                 "Caller": frm, "Called": to, "CallbackSource": "call-progress-events",
                 "SequenceNumber": str(seq), "Timestamp": self.stamp(t + at)}
            if is_phone:
                geo(p, "To", to)
                geo(p, "Called", to)
            geo(p, "From", frm)
            geo(p, "Caller", frm)
            if status == "in-progress":
                p["SipResponseCode"] = "200"
            elif status not in ("initiated", "ringing"):
                p["SipResponseCode"] = SIP[status]
                p["CallDuration"] = str(talk)
                p["Duration"] = str(-(-talk // 60) if status == "completed" else 0)
            out.append(("S", "/api/twilio/call-status", p))
        return out

    def recording(self, parent, rsid, status, source, start, secs):
        p = {"AccountSid": ACCOUNT, "CallSid": parent, "RecordingSid": rsid,
             "RecordingUrl": self.rec_base + rsid, "RecordingStatus": status,
             "RecordingChannels": "1", "RecordingStartTime": self.stamp(start),
             "RecordingSource": source, "ErrorCode": "0"}
        if source == "DialVerb":
            p["RecordingTrack"] = "both"
        if status == "completed":
            p["RecordingDuration"] = str(secs)
        return ("C" if status == "completed" else "R", "/api/twilio/recording-status", p)

    def parent_completed(self, base, t, duration, answered):
        p = dict(base, CallStatus="completed", CallbackSource="call-progress-events",
                 SequenceNumber="0", Timestamp=self.stamp(t + duration),
                 CallDuration=str(duration), Duration=str(max(1, -(-duration // 60)) if answered else 0))
        return ("S", "/api/twilio/call-status", p)

    def call(self):
        """One call: a flow name and its requests as (kind, path, params)."""
        rng = self.rng
        t = rng.uniform(-600, 0)  # started in the last ten minutes
        parent = self.sid("CA", 0)
        ring = rng.randint(2, 12)
        talk = rng.randint(15, 400)
        if rng.randrange(100) < INBOUND_SHARE:
            return self.inbound(parent, t, ring, talk)
        return self.outbound(parent, t, ring, talk)

    def inbound(self, parent, t, ring, talk):
        rng, number = self.rng, self.args.number
        caller = self.phone()
        flow = self.pick(INBOUND, rng)
        base = {"AccountSid": ACCOUNT, "ApiVersion": API, "CallSid": parent, "CallStatus": "ringing",
                "Direction": "inbound", "From": caller, "To": number, "Caller": caller, "Called": number}
        for prefix, n in (("From", caller), ("Caller", caller), ("To", number), ("Called", number)):
            geo(base, prefix, n)
        reqs = [("V", "/api/twilio/voice-incoming", dict(base))]
        legs = [(self.sid("CA", 1), "client:" + a) for a in self.present]
        winner = rng.randrange(len(legs)) if flow == "answered" else None
        greet = 4  # the greeting before <Dial>
        for i, (sid, to) in enumerate(legs):
            if winner == i:
                ev = [("initiated", greet, 0), ("ringing", greet, 0), ("in-progress", greet + ring, 0),
                      ("completed", greet + ring + talk, talk)]
            elif flow == "answered":
                ev = [("initiated", greet, 0), ("ringing", greet, 0), ("canceled", greet + ring, 0)]
            elif flow == "caller-hung-up":
                ev = [("initiated", greet, 0), ("ringing", greet, 0), ("canceled", greet + ring, 0)]
            else:
                ev = [("initiated", greet, 0), ("ringing", greet, 0), ("no-answer", greet + 30, 0)]
            reqs += self.leg(parent, sid, caller, to, False, ev, t)
        action = {"DialCallSid": legs[winner or 0][0], "DialBridged": "true" if winner is not None else "false"}
        duration = greet + ring
        if flow == "answered":
            rsid = self.sid("RE", 2)
            status = "absent" if rng.random() < ABSENT_SHARE else "completed"
            reqs.append(self.recording(parent, rsid, status, "DialVerb", t + greet + ring, talk))
            duration += talk
            action.update(DialCallStatus="completed", DialCallDuration=str(talk))
            if status == "completed":
                action.update(RecordingUrl=self.rec_base + rsid, RecordingSid=rsid, RecordingDuration=str(talk))
            reqs.append(("A", "/api/twilio/dial-complete", dict(base, CallStatus="in-progress", **action)))
        elif flow == "caller-hung-up":
            reqs.append(("A", "/api/twilio/dial-complete",
                         dict(base, CallStatus="completed", DialCallStatus="canceled", **action)))
        else:
            duration = greet + 30
            reqs.append(("A", "/api/twilio/dial-complete",
                         dict(base, CallStatus="in-progress", DialCallStatus="no-answer", **action)))
            rsid = self.sid("RE", 3)
            message = rng.randint(5, 90) if flow == "no-answer-voicemail" else 0
            start = duration + 8  # the apology and the prompt
            reqs.append(self.recording(parent, rsid, "completed" if message else "absent", "RecordVerb",
                                       t + start, message))
            duration = start + message
            if message:
                reqs.append(("A", "/api/twilio/voicemail-complete",
                             dict(base, CallStatus="completed", RecordingUrl=self.rec_base + rsid,
                                  RecordingSid=rsid, RecordingDuration=str(message), Digits="hangup")))
        reqs.append(self.parent_completed(base, t, duration, True))
        return flow, reqs

    def outbound(self, parent, t, ring, talk):
        rng, number = self.rng, self.args.number
        agent = "client:" + rng.choice(self.agents)
        dest = self.phone()
        flow = "outbound-" + self.pick(OUTBOUND, rng)
        base = {"AccountSid": ACCOUNT, "ApiVersion": API, "ApplicationSid": APP, "CallSid": parent,
                "CallStatus": "ringing", "Direction": "inbound", "From": agent, "To": dest,
                "Caller": agent, "Called": ""}
        reqs = [("V", "/api/twilio/voice", dict(base))]
        child = self.sid("CA", 4)
        answered = flow == "outbound-answered"
        if answered:
            ev = [("initiated", 0, 0), ("ringing", 1, 0), ("in-progress", ring, 0), ("completed", ring + talk, talk)]
        elif flow == "outbound-no-answer":
            ev = [("initiated", 0, 0), ("ringing", 1, 0), ("no-answer", 30, 0)]
        else:  # busy and failed legs do not ring
            ev = [("initiated", 0, 0), (flow.split("-", 1)[1], 1, 0)]
        reqs += self.leg(parent, child, number, dest, True, ev, t)
        duration = ring + talk if answered else ev[-1][1]
        if answered:
            rsid = self.sid("RE", 5)
            status = "absent" if rng.random() < ABSENT_SHARE else "completed"
            reqs.append(self.recording(parent, rsid, status, "DialVerb", t + ring, talk))
        reqs.append(self.parent_completed(base, t, duration, answered))
        return flow, reqs


def write_file(args, n):
    """Writes requests.N; returns its counts."""
    rng = random.Random(args.seed * 1000 + n)
    flows = Flows(args, rng, n)
    signer = Signer(args.base_url, args.auth_token)
    target = -(-args.requests // args.threads)
    kinds = dict.fromkeys("VASCRD", 0)
    flow_counts = {}
    lines = queued = 0
    slots = []  # each: the remaining lines of one call in progress, next one last
    with open(os.path.join(args.out_dir, f"requests.{n}"), "w") as f:
        while True:
            # Refill the window with new calls while this file still needs lines.
            while len(slots) < args.window and lines + queued < target:
                flow, reqs = flows.call()
                flow_counts[flow] = flow_counts.get(flow, 0) + 1
                rendered = []
                for kind, path, params in reqs:
                    line = signer.line(kind, path, params, flows.token())
                    rendered.append(line)
                    kinds[kind] += 1
                    if kind in "SCR" and rng.random() < args.duplicates:
                        rendered.append("D" + line[1:])
                        kinds["D"] += 1
                rendered.reverse()
                queued += len(rendered)
                slots.append(rendered)
            if not slots:
                break
            f.writelines([s.pop() for s in slots])
            lines += len(slots)
            queued -= len(slots)
            slots = [s for s in slots if s]
    return kinds, flow_counts


def main():
    args = parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    # Stopped by the driver's cleanup: leave through the pool's context so it ends its workers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # One process per file: signing is CPU-bound and the files are independent.
    with multiprocessing.Pool(min(args.threads, os.cpu_count() or 1)) as pool:
        results = pool.starmap(write_file, [(args, n) for n in range(args.threads)])
    kinds = dict.fromkeys("VASCRD", 0)
    flows = {}
    for k, f in results:
        for name, v in k.items():
            kinds[name] += v
        for name, v in f.items():
            flows[name] = flows.get(name, 0) + v
    manifest = {"calls": kinds["V"], "lines": sum(kinds.values()), "kinds": kinds, "flows": flows,
                "threads": args.threads, "window": args.window, "duplicates": args.duplicates}
    with open(os.path.join(args.out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
