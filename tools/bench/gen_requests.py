#!/usr/bin/env python3
"""Pre-signs unique Twilio webhook requests for the HTTP benchmark (wrk cannot compute HMACs).

usage: gen_requests.py KIND BASE_URL AUTH_TOKEN COUNT OUT
KIND: voice-incoming | call-status. Each line of OUT is `signature<TAB>form body`; every request
names a different call, so each one is a new event stored durably, not a duplicate.
"""
import base64
import hashlib
import hmac
import sys
import urllib.parse

kind, base, token, count, out = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3], int(sys.argv[4]), sys.argv[5]
path = {"voice-incoming": "/api/twilio/voice-incoming", "call-status": "/api/twilio/call-status"}[kind]
url = base + path
key = token.encode()
with open(out, "w") as f:
    for i in range(count):
        sid = "CA%032x" % (0xB0000000 + i)
        parent = "CA%032x" % (0xA0000000 + i)
        if kind == "voice-incoming":
            params = {"CallSid": parent, "AccountSid": "AC0123456789abcdef0123456789abcdef",
                      "From": "+5531988887777", "To": "+553123916801", "Caller": "+5531988887777",
                      "Called": "+553123916801", "CallStatus": "ringing", "Direction": "inbound",
                      "ApiVersion": "2010-04-01", "FromCountry": "BR", "ToCountry": "BR"}
        else:
            params = {"CallSid": sid, "ParentCallSid": parent, "AccountSid": "AC0123456789abcdef0123456789abcdef",
                      "From": "+553123916801", "To": "+5531988887777", "CallStatus": "completed",
                      "Direction": "outbound-dial", "CallDuration": "42", "Duration": "1",
                      "SequenceNumber": "3", "Timestamp": "Sun, 29 Nov 2026 09:00:00 +0000",
                      "CallbackSource": "call-progress-events", "SipResponseCode": "200",
                      "ApiVersion": "2010-04-01"}
        s = url + "".join(k + params[k] for k in sorted(params))
        sig = base64.b64encode(hmac.new(key, s.encode(), hashlib.sha1).digest()).decode()
        f.write(sig + "\t" + urllib.parse.urlencode(params) + "\n")
