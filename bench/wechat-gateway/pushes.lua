-- wrk script: sends each pre-signed push of the file in WRK_PUSHES once, in order
-- (path line, body line), and prints the figures as one JSON line at the end.
-- Run wrk with one thread (-t1) so that no push is sent twice.
local requests = {}
local i = 0

init = function()
  -- Built here, not at load time: wrk.headers has the Host header only now.
  wrk.headers["Content-Type"] = "text/xml"
  local file = assert(io.open(os.getenv("WRK_PUSHES"), "r"))
  while true do
    local path = file:read("*l")
    if not path then break end
    local body = file:read("*l")
    requests[#requests + 1] = wrk.format("POST", path, nil, body)
  end
  file:close()
end

request = function()
  i = i + 1
  return requests[((i - 1) % #requests) + 1]
end

done = function(summary, latency)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
