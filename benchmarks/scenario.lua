-- wrk script for benchmarks/load.sh: the request of one scenario, chosen by environment variables,
-- and a summary line that load.sh reads (wrk's own output stays as it is).
--   METHOD      request method (default GET)
--   BODY_BYTES  request body size, 0 for none (default 0)
--   DEPTH       requests written back to back per connection (HTTP/1.1 pipelining; default 1).
--               wrk times a pipelined batch as one request, so load.sh reports no latency for it.
local depth = tonumber(os.getenv("DEPTH") or "1")
local body_bytes = tonumber(os.getenv("BODY_BYTES") or "0")

wrk.method = os.getenv("METHOD") or "GET"
if body_bytes > 0 then
  wrk.body = string.rep("x", body_bytes)
end

if depth > 1 then
  -- A request() function makes wrk count the requests it returns and wait for as many responses.
  init = function(args)
    batch = string.rep(wrk.format(), depth)
  end
  request = function()
    return batch
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d status=%d p50_us=%.0f p99_us=%.0f p999_us=%.0f\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end
