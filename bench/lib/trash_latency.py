"""Trash and restore latency, one call at a time over one keep-alive connection, of a library with
1 asset and of one with 1,000,000: they must be flat, since trash and restore touch one row.
The two are interleaved in rounds so that noise on the machine hits both alike.
Usage: trash_latency.py PORT KEY SMALL_ID BIG_ID [ROUNDS PER_ROUND]   -> JSON on stdout."""
import http.client
import json
import statistics
import sys
import time

port, key, small, big = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 10
per_round = int(sys.argv[6]) if len(sys.argv) > 6 else 25
conn = http.client.HTTPConnection("localhost", port)
headers = {"Authorization": "Bearer " + key, "Content-Length": "0"}
errors = 0


def call(lib, action):
    global errors
    t = time.perf_counter()
    conn.request("POST", f"/api/libraries/{lib}/{action}", headers=headers)
    r = conn.getresponse()
    r.read()
    if r.status != 200:
        errors += 1
    return (time.perf_counter() - t) * 1e6


times = {lib: {"trash": [], "restore": []} for lib in (small, big)}
for lib in (small, big):  # warm-up, not recorded
    for _ in range(20):
        call(lib, "trash")
        call(lib, "restore")
for _ in range(rounds):
    for lib in (small, big):
        for _ in range(per_round):
            times[lib]["trash"].append(call(lib, "trash"))
            times[lib]["restore"].append(call(lib, "restore"))


def summary(xs):
    xs = sorted(xs)
    return {"n": len(xs), "p50": statistics.median(xs), "p90": xs[int(len(xs) * 0.9)], "p99": xs[int(len(xs) * 0.99)],
            "mean": statistics.fmean(xs)}


out = {"errors": errors, "assets_1": {a: summary(times[small][a]) for a in ("trash", "restore")},
       "assets_1m": {a: summary(times[big][a]) for a in ("trash", "restore")}}
for a in ("trash", "restore"):
    out[a + "_ratio_p50"] = out["assets_1m"][a]["p50"] / out["assets_1"][a]["p50"]
print(json.dumps(out))
