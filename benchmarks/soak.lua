-- wrk script for the soak run: a mix of hello world, 64 KB responses, 16 KB POST echoes and
-- output-cache hits, round robin per connection.
local body = string.rep("p", 16 * 1024)
local requests = {}
local next = 1
init = function(args)
  requests[1] = wrk.format("GET", "/hello")
  requests[2] = wrk.format("GET", "/64k")
  requests[3] = wrk.format("POST", "/echo", {["Content-Length"] = tostring(#body)}, body)
  requests[4] = wrk.format("GET", "/cached")
  requests[5] = wrk.format("GET", "/hello")
end
request = function()
  local r = requests[next]
  next = next % #requests + 1
  return r
end
