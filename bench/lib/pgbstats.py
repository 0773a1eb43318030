"""Summarises one pgbench run as JSON: throughput from its report, failures, and latency
percentiles (µs) from its per-transaction log (-l).  Usage: pgbstats.py REPORT LOG..."""
import json
import re
import sys

report = open(sys.argv[1]).read()
lat = []
for path in sys.argv[2:]:
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                lat.append(int(parts[2]))
lat.sort()


def pct(p):
    return lat[min(len(lat) - 1, int(len(lat) * p / 100))] if lat else None


def grab(pattern, cast=float, default=None):
    m = re.search(pattern, report)
    return cast(m.group(1)) if m else default


print(json.dumps({
    "tps": grab(r"tps = ([\d.]+) \(without initial connection time\)"),
    "transactions": grab(r"number of transactions actually processed: (\d+)", int, 0),
    "failed": grab(r"number of failed transactions: (\d+)", int, 0),
    "clients": grab(r"number of clients: (\d+)", int),
    "latency_us": {"mean": (sum(lat) / len(lat)) if lat else None,
                   "p50": pct(50), "p75": pct(75), "p90": pct(90), "p99": pct(99), "p999": pct(99.9),
                   "max": lat[-1] if lat else None},
}))
