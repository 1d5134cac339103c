-- wrk script: sends DEPTH requests back to back per write (HTTP/1.1 pipelining), default 16.
local depth = tonumber(os.getenv("DEPTH") or "16")
init = function(args)
  local requests = {}
  for i = 1, depth do
    requests[i] = wrk.format("GET", "/")
  end
  batch = table.concat(requests)
end
request = function()
  return batch
end
