-- booking.lua: wrk script for bench/booking_bench.sh. Every request is
-- POST /api/bookings by one of many people, for one of a set of slots.
--   WH_TOKENS  a file of bearer tokens, one per line (one per person)
--   WH_SLOTS   a file of slot ids, one per line
--   WH_ROUNDS  how many bookings each person may make (the offering's
--              per-person limit); later requests are expected to be 409
-- Request n of thread t (of T) is made by person (n*T + t) mod P, in
-- round r = floor((n*T + t) / P), for slot (person + 7r) mod S: a person
-- never asks for the same slot twice within the rounds when S >= 7 *
-- rounds. Statuses are counted per thread and summed in done().
local tokens, slots = {}, {}
for line in io.lines(os.getenv("WH_TOKENS")) do tokens[#tokens + 1] = line end
for line in io.lines(os.getenv("WH_SLOTS")) do slots[#slots + 1] = line end
local rounds = tonumber(os.getenv("WH_ROUNDS") or "1")

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
  local k = n * nthreads + tid
  n = n + 1
  local person = k % #tokens
  local round = math.floor(k / #tokens)
  local slot = slots[(person + 7 * round) % #slots + 1]
  return wrk.format("POST", "/api/bookings",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[person + 1] },
    '{"slot":' .. slot .. '}')
end

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
