-- wrk script: replays pre-signed Twilio webhooks, each thread its own slice, never repeating
-- a request until the file is exhausted. REQUESTS names the file (gen_requests.py output).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  requests = {}
  local n = 0
  for line in io.lines(os.getenv("REQUESTS")) do
    local sig, body = line:match("^([^\t]+)\t(.*)$")
    n = n + 1
    requests[n] = { sig = sig, body = body }
  end
  total = n
  step = tonumber(os.getenv("THREADS") or "1")
  index = id + 1
end

function request()
  local r = requests[index]
  index = index + step
  if index > total then index = id + 1 end
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = r.sig,
  }, r.body)
end
