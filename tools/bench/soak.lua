-- wrk script of scripts/bench-soak: replays the calls pre-signed by soak_gen.py.
--
-- Thread N reads $SOAK_DIR/requests.N line by line (never the whole file, so a long soak costs
-- no memory) and sends each line once. After $SOAK_SECONDS, or when its file is exhausted, a
-- thread stops taking new lines and keeps its connections busy only with slow-paced
-- GET /healthz until every request it sent has been answered; then it stops and writes
-- $SOAK_DIR/done.N. The driver interrupts wrk once every thread is done, so every call counted
-- as sent had all its sent requests answered: "calls sent" is exact, not a guess.
-- With $SOAK_RATE > 0 (requests/s over all $SOAK_THREADS threads) each thread paces its
-- requests on a fixed schedule (open loop while connections are free) instead of sending as fast
-- as the server answers: a steady-state soak below the server's capacity.
-- done() prints one line, `soak-result {json}`, with the counts per kind and the latency.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } soak_timespec;
int clock_gettime(int clock, soak_timespec *ts);
]]
local ts = ffi.new("soak_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local file, deadline, filler
local draining = false
local interval = 0 -- seconds between two requests of this thread when paced
local next_slot = nil

function init(args)
  dir = os.getenv("SOAK_DIR")
  file = assert(io.open(dir .. "/requests." .. id, "r"))
  seconds = tonumber(os.getenv("SOAK_SECONDS") or "60")
  issued, answered, fillers, bad = 0, 0, 0, 0
  kinds = { V = 0, A = 0, S = 0, C = 0, R = 0, D = 0 }
  exhausted = 0
  started, stopped = nil, nil
  filler = wrk.format("GET", "/healthz")
  local rate = tonumber(os.getenv("SOAK_RATE") or "0")
  if rate > 0 then interval = tonumber(os.getenv("SOAK_THREADS") or "1") / rate end
  -- wrk calls request() once on its first thread before the run, only to check the request's
  -- shape (script_verify_request in wrk.c); what it returns is never sent, so no line is used.
  verifying = (id == 0)
end

local function start_draining(reason_exhausted)
  draining = true
  stopped = now()
  if reason_exhausted then exhausted = 1 end
  file:close()
end

-- Milliseconds before the next request of a connection that just got its answer.
function delay()
  if draining then return 100 end -- fillers only keep connections alive, slowly
  if interval == 0 then return 0 end
  local t = now()
  if not next_slot or next_slot < t then next_slot = t end -- late: no burst to catch up
  local wait = next_slot - t
  next_slot = next_slot + interval
  return math.floor(wait * 1000)
end

function request()
  if verifying then
    verifying = false
    return filler
  end
  if not started then
    started = now()
    deadline = started + seconds
  end
  if not draining then
    if now() >= deadline then
      start_draining(false)
    else
      local line = file:read("*l")
      if line == nil then
        start_draining(true)
      else
        local kind, path, sig, token, body = line:match("^(%a)\t([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
        kinds[kind] = kinds[kind] + 1
        issued = issued + 1
        return wrk.format("POST", path, {
          ["Content-Type"] = "application/x-www-form-urlencoded",
          ["X-Twilio-Signature"] = sig,
          ["I-Twilio-Idempotency-Token"] = token,
        }, body)
      end
    end
  end
  fillers = fillers + 1
  issued = issued + 1
  return filler
end

function response(status, headers, body)
  answered = answered + 1
  if status < 200 or status > 299 then bad = bad + 1 end
  -- ">=": a wrk that skipped the verification call sent that first filler for real.
  if draining and answered >= issued then
    local f = io.open(dir .. "/done." .. id, "w")
    if f then f:write("done\n") f:close() end
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local t = { V = 0, A = 0, S = 0, C = 0, R = 0, D = 0 }
  local fillers_all, bad_all, exhausted_all, issued_all, answered_all = 0, 0, 0, 0, 0
  local first, last = nil, nil
  for _, thread in ipairs(threads) do
    local k = thread:get("kinds")
    for name, v in pairs(k) do t[name] = t[name] + v end
    fillers_all = fillers_all + thread:get("fillers")
    bad_all = bad_all + thread:get("bad")
    exhausted_all = exhausted_all + thread:get("exhausted")
    issued_all = issued_all + thread:get("issued")
    answered_all = answered_all + thread:get("answered")
    local s, e = thread:get("started"), thread:get("stopped")
    if s and (not first or s < first) then first = s end
    if e and (not last or e > last) then last = e end
  end
  local real = 0
  for _, v in pairs(t) do real = real + v end
  local span = (first and last) and (last - first) or (summary.duration / 1e6)
  local out = string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,' ..
    '"max_ms":%.3f,"mean_ms":%.3f,"non2xx":%d,"unanswered":%d,"exhausted_threads":%d,' ..
    '"fillers":%d,"socket_errors":%d,"timeouts":%d,"kinds":{"V":%d,"A":%d,"S":%d,"C":%d,"R":%d,"D":%d}}',
    real, span, real / span, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000, bad_all,
    issued_all - answered_all, exhausted_all, fillers_all,
    summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout,
    t.V, t.A, t.S, t.C, t.R, t.D)
  io.write("soak-result " .. out .. "\n")
end
