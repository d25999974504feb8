-- status.lua: a write-heavy mix for wrk: every fourth request reports the
-- live status of a random site (a staff member updating seats free), the
-- rest ask for the nearest open sites. Needs WH_TOKEN (an admin bearer
-- token) and WH_SITES (how many sites there are).
local token = os.getenv("WH_TOKEN")
local nsites = tonumber(os.getenv("WH_SITES") or "1000")
math.randomseed(4242)
local n = 0
request = function()
  n = n + 1
  if n % 4 == 0 then
    local id = math.random(300, nsites)
    local body = string.format('{"amenities":[{"code":"seats","available":%d}]}', math.random(0, 9))
    return wrk.format("POST", "/api/sites/" .. id .. "/status",
      { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
  end
  local lat = 31.23 + (math.random() - 0.5) * 0.3
  local lon = 121.47 + (math.random() - 0.5) * 0.3
  return wrk.format("GET", string.format("/api/sites/near?lat=%.5f&lon=%.5f&k=5&open=1", lat, lon))
end
