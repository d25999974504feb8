-- report_load.sql - :N grid reports at once, for bench/report_bench.sh
-- (sqlite3 and psql both read it after the script puts the count and
-- the time in place of @N@ and @T0@). The demo's categories, departments
-- and grids must be there. Reports spread over the last @N@ * 86 seconds
-- (100 days for 100,000), newest first by id; categories turn in five,
-- and one report in a hundred is of a sixth (a rare service_code); a
-- status cycle of open, acknowledged, fixed, closed; one in twenty
-- rejected (never published). Points lie around their grid's centre.
INSERT INTO reports (category_id, department_id, region_id, lat, lon, datum, address,
                     description, attributes, status, verification, source, due_at,
                     created_at, updated_at, fixed_at, closed_at)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @N@),
cats AS (SELECT id, department_id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k
         FROM report_categories),
grids AS (SELECT b.region_id, (b.min_lat + b.max_lat) / 2 AS lat, (b.min_lon + b.max_lon) / 2 AS lon,
                 ROW_NUMBER() OVER (ORDER BY b.region_id) - 1 AS k
          FROM report_boundaries b JOIN regions r ON r.id = b.region_id WHERE r.level = 'grid'),
ng AS (SELECT COUNT(*) AS c FROM grids)
SELECT c.id, c.department_id, g.region_id,
       g.lat + ((n.i * 37) % 101 - 50) * 0.00002, g.lon + ((n.i * 53) % 101 - 50) * 0.00002,
       'wgs84', '', 'bench report ' || n.i, '{}',
       CASE n.i % 4 WHEN 0 THEN 'open' WHEN 1 THEN 'acknowledged' WHEN 2 THEN 'fixed' ELSE 'closed' END,
       CASE WHEN n.i % 20 = 7 THEN 'rejected' ELSE 'confirmed' END,
       'app', @T0@ - n.i * 86 + 5 * 86400,
       @T0@ - n.i * 86, @T0@ - n.i * 86,
       CASE WHEN n.i % 4 >= 2 THEN @T0@ - n.i * 86 + 3600 END,
       CASE WHEN n.i % 4 = 3 THEN @T0@ - n.i * 86 + 7200 END
FROM n JOIN cats c ON c.k = CASE WHEN n.i % 100 = 0 THEN 5 ELSE n.i % 5 END
JOIN ng ON 1 = 1
JOIN grids g ON g.k = n.i % ng.c;
