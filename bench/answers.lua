-- answers.lua: what bench/booking.lua and bench/report_post.lua share
-- (loaded with dofile from the checkout's root, where the bench scripts
-- run wrk). Reads the thread count, numbers wrk's threads (tid, from 0), counts each answer by
-- status (and the error code of one that is not 201) per thread, and
-- prints the sum after the run:
--   answers: 201: 950, 409 slot_full: 50
--   seconds: 10.002
-- nthreads: wrk's thread count (WH_THREADS, as given to wrk -t).
nthreads = 1
function init(args)
  nthreads = tonumber(os.getenv("WH_THREADS") or "2")
end

local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  threads[#threads + 1] = thread
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
