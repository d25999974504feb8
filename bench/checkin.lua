-- checkin.lua: wrk script for bench/checkin_bench.sh. Every request is a
-- check-in of one of many workers at one of many stations:
--   WH_MODE=poster  POST /api/visits {"code": the station's poster code},
--                   as the worker (their bearer token)
--   WH_MODE=staff   POST /api/sites/{id}/visits {"qr": the worker's QR
--                   token}, as staff (WH_STAFF, a bearer token)
--   WH_TOKENS  a file: per worker, a bearer token (poster) or a QR token
--              (staff), one per line
--   WH_SITES   a file: per station, "id code" (the poster's code), one per line
--   WH_THREADS wrk's -t
-- Request n of thread t (of T) is k = n*T + t: worker k mod P at station
-- (worker + floor(k / P)) mod S, so no worker checks in twice at one
-- station until P*S requests have gone (a repeat within 30 minutes is
-- 200 counted:false, not a new check-in). Statuses are counted per thread
-- and summed in done().
local tokens, sites, codes = {}, {}, {}
for line in io.lines(os.getenv("WH_TOKENS")) do tokens[#tokens + 1] = line end
for line in io.lines(os.getenv("WH_SITES")) do
  local id, code = line:match("^(%d+) (%S+)$")
  sites[#sites + 1] = id
  codes[#codes + 1] = code
end
local staff_mode = os.getenv("WH_MODE") == "staff"
local staff = os.getenv("WH_STAFF") or ""

dofile((os.getenv("WH_BENCH_DIR") or "bench") .. "/wrk_shared.lua") -- setup, init, next_k, response, done

function request()
  local k = next_k()
  local person = k % #tokens
  local s = (person + math.floor(k / #tokens)) % #sites + 1
  if staff_mode then
    return wrk.format("POST", "/api/sites/" .. sites[s] .. "/visits",
      { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. staff },
      '{"qr":"' .. tokens[person + 1] .. '"}')
  end
  return wrk.format("POST", "/api/visits",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[person + 1] },
    '{"code":"' .. codes[s] .. '"}')
end
