-- wrk_shared.lua: what the wrk scripts of bench/ share (loaded with dofile
-- by booking.lua and checkin.lua): each thread's number (tid, from 0),
-- next_k() numbering the requests over all threads (request n of thread t
-- of T is n*T + t; T is WH_THREADS, wrk's -t), the answers counted per
-- thread by status and error code ("409 limit_reached"), and done()
-- printing their sums and the run's length:
--   answers: 201: 18000, 409 limit_reached: 12
--   seconds: 10.002
threads = {}
function setup(thread)
  thread:set("tid", #threads)
  threads[#threads + 1] = thread
end

local n, nthreads = 0, 1
function init(args)
  nthreads = tonumber(os.getenv("WH_THREADS") or "2")
end

function next_k()
  local k = n * nthreads + tid
  n = n + 1
  return k
end

local counts = {}
function response(status, headers, body)
  local key = tostring(status)
  if status ~= 201 then
    local code = body:match('"code":"([a-z_]+)"')
    if code then key = key .. " " .. code end
  end
  counts[key] = (counts[key] or 0) + 1
  -- A summary string per thread, read back in done().
  local parts = {}
  for k2, v in pairs(counts) do parts[#parts + 1] = k2 .. "=" .. v end
  summary_text = table.concat(parts, ";")
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local text = t:get("summary_text") or ""
    for k, v in text:gmatch("([^=;]+)=(%d+)") do total[k] = (total[k] or 0) + tonumber(v) end
  end
  local keys = {}
  for k in pairs(total) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do out[#out + 1] = k .. ": " .. total[k] end
  io.write("answers: " .. table.concat(out, ", ") .. "\n")
  io.write(string.format("seconds: %.3f\n", summary.duration / 1e6))
end
