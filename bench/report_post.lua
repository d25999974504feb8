-- report_post.lua: wrk script for bench/report_bench.sh. Every request is
-- POST /api/reports with one photo (the body file, a 1 MB JPEG in
-- base64), by one of many people in turn.
--   WH_TOKENS  a file of bearer tokens, one per line
--   WH_BODY    the request body (JSON)
--   WH_THREADS wrk's thread count
-- Statuses are counted per thread and summed in done().
local tokens = {}
for line in io.lines(os.getenv("WH_TOKENS")) do tokens[#tokens + 1] = line end
local f = assert(io.open(os.getenv("WH_BODY"), "rb"))
local body = f:read("*a")
f:close()

local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  threads[#threads + 1] = thread
end

local n, nthreads = 0, 1
local counts = {}
function init(args)
  nthreads = tonumber(os.getenv("WH_THREADS") or "2")
end

function request()
  local person = (n * nthreads + tid) % #tokens
  n = n + 1
  return wrk.format("POST", "/api/reports",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[person + 1] },
    body)
end

function response(status, headers, rbody)
  local key = tostring(status)
  if status ~= 201 then
    local code = rbody:match('"code":"([a-z_]+)"')
    if code then key = key .. " " .. code end
  end
  counts[key] = (counts[key] or 0) + 1
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
