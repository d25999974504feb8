-- report_post.lua: wrk script for bench/report_bench.sh. Every request is
-- POST /api/reports with one photo (the body file, a 1 MB JPEG in
-- base64), by one of many people in turn.
--   WH_TOKENS  a file of bearer tokens, one per line
--   WH_BODY    the request body (JSON)
--   WH_THREADS wrk's thread count
-- Statuses are counted by bench/wrk_shared.lua.
local tokens = {}
for line in io.lines(os.getenv("WH_TOKENS")) do tokens[#tokens + 1] = line end
local f = assert(io.open(os.getenv("WH_BODY"), "rb"))
local body = f:read("*a")
f:close()

dofile((os.getenv("WH_BENCH_DIR") or "bench") .. "/wrk_shared.lua") -- setup, init, next_k, response, done

function request()
  local person = next_k() % #tokens
  return wrk.format("POST", "/api/reports",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[person + 1] },
    body)
end
