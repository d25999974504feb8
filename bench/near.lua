-- near.lua: wrk script for /api/sites/near. Each request asks from a
-- different place near one of China's big cities (fixed seed, so every run
-- asks the same sequence), for the 5 nearest open sites with a microwave.
-- An argument after wrk's "--" replaces the path (the query stays): the
-- nginx reference of http_bench.sh is driven with the same requests, so
-- wrk does the same work per request on both sides of the comparison.
local cities = {
  {39.904, 116.407}, {31.230, 121.474}, {23.129, 113.264}, {22.543, 114.058},
  {30.572, 104.066}, {29.563, 106.551}, {30.593, 114.305}, {34.341, 108.940},
  {32.060, 118.797}, {30.274, 120.155}, {36.651, 117.120}, {38.042, 114.515},
  {41.806, 123.432}, {45.803, 126.535}, {34.747, 113.625}, {28.228, 112.939},
  {26.075, 119.296}, {25.040, 102.712}, {43.826, 87.617}, {34.596, 119.222},
}
local paths = {}
function init(args)
  local path = args[1] or "/api/sites/near"
  math.randomseed(20261129)
  for i = 1, 4096 do
    local c = cities[math.random(#cities)]
    local lat = c[1] + (math.random() - 0.5) * 0.2
    local lon = c[2] + (math.random() - 0.5) * 0.2
    paths[i] = string.format(
      "%s?lat=%.5f&lon=%.5f&k=5&amenity=microwave&open=1", path, lat, lon)
  end
end
local n = 0
request = function()
  n = n % #paths + 1
  return wrk.format("GET", paths[n])
end
