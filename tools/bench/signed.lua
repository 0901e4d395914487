-- wrk script: replays pre-signed Twilio webhooks, each thread its own slice, never repeating
-- a request until its slice is exhausted. REQUESTS names the file (gen_requests.py output).
-- Every request is formatted once, in init: building a POST in Lua per request costs wrk
-- more CPU than the server spends answering it, and wrk shares the machine with the server.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  requests = {}
  local step = tonumber(os.getenv("THREADS") or "1")
  local n, line_no = 0, 0
  for line in io.lines(os.getenv("REQUESTS")) do
    if line_no % step == id then
      local sig, body = line:match("^([^\t]+)\t(.*)$")
      n = n + 1
      requests[n] = wrk.format("POST", nil, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = sig,
      }, body)
    end
    line_no = line_no + 1
  end
  total = n
  index = 1
end

function request()
  local r = requests[index]
  index = index + 1
  if index > total then index = 1 end
  return r
end
