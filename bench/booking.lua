-- booking.lua: wrk script for bench/booking_bench.sh. Every request is
-- POST /api/bookings by one of many people, for one of a set of slots.
--   WH_TOKENS  a file of bearer tokens, one per line (one per person)
--   WH_SLOTS   a file of slot ids, one per line
--   WH_ROUNDS  how many bookings each person may make (the offering's
--              per-person limit); later requests are expected to be 409
-- Request n of thread t (of T) is made by person (n*T + t) mod P, in
-- round r = floor((n*T + t) / P), for slot (person + 7r) mod S: a person
-- never asks for the same slot twice within the rounds when S >= 7 *
-- rounds. Statuses are counted by bench/wrk_shared.lua.
local tokens, slots = {}, {}
for line in io.lines(os.getenv("WH_TOKENS")) do tokens[#tokens + 1] = line end
for line in io.lines(os.getenv("WH_SLOTS")) do slots[#slots + 1] = line end
local rounds = tonumber(os.getenv("WH_ROUNDS") or "1")

dofile((os.getenv("WH_BENCH_DIR") or "bench") .. "/wrk_shared.lua") -- setup, init, next_k, response, done

function request()
  local k = next_k()
  local person = k % #tokens
  local round = math.floor(k / #tokens)
  local slot = slots[(person + 7 * round) % #slots + 1]
  return wrk.format("POST", "/api/bookings",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[person + 1] },
    '{"slot":' .. slot .. '}')
end
