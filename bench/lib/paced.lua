-- A browsing client rather than a flood: each connection waits BENCH_API_DELAY_MS after every
-- answer before asking again, so the load stays the same whether or not renditions run and the
-- latency measured is the server's, not the queue wrk itself would build. The totals and
-- percentiles go to $WRK_OUT as with every other wrk run (report.lua).
dofile(os.getenv("BENCH_LIB") .. "/report.lua")

local pause = tonumber(os.getenv("BENCH_API_DELAY_MS") or "25")

function delay()
  return pause
end
