-- Trash + restore pairs over many libraries: trash each of the N libraries listed in $PAIR_IDS in
-- turn, then restore each in turn, and again. Two calls on the same library are N requests apart,
-- so with N well above the connection count no call ever races its own pair: every call changes
-- a row and writes its event, like the pgbench reference (bench/lib/pair.sql).
dofile(os.getenv("BENCH_LIB") .. "/report.lua")

local ids = {}
for line in io.lines(os.getenv("PAIR_IDS")) do
  ids[#ids + 1] = line
end
local i = 0

function request()
  local n = #ids
  local k = i % (2 * n)
  i = i + 1
  if k < n then
    return wrk.format("POST", "/api/libraries/" .. ids[k + 1] .. "/trash")
  end
  return wrk.format("POST", "/api/libraries/" .. ids[k - n + 1] .. "/restore")
end
