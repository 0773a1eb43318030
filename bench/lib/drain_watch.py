"""Trashes a library, expedites its purge (DELETE), then polls it until the drain has removed it,
or until TIMEOUT_SECONDS have passed (then the rate is what was purged by then, and "finished"
is false). Reports the assets purged per second, from the expedite and from the first purged
batch, and the time series of the library's asset_count.
Usage: drain_watch.py PORT KEY LIBRARY_ID [POLL_SECONDS] [TIMEOUT_SECONDS]  -> JSON on stdout."""
import http.client
import json
import sys
import time

port, key, lib = int(sys.argv[1]), sys.argv[2], sys.argv[3]
poll = float(sys.argv[4]) if len(sys.argv) > 4 else 0.1
timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 600
conn = http.client.HTTPConnection("localhost", port)
headers = {"Authorization": "Bearer " + key, "Content-Length": "0"}


def call(method, path):
    conn.request(method, path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    return r.status, (json.loads(body) if body else None)


status, lib_json = call("GET", f"/api/libraries/{lib}")
assert status == 200, (status, lib_json)
assets = lib_json["asset_count"]
assert call("POST", f"/api/libraries/{lib}/trash")[0] == 200
status, body = call("DELETE", f"/api/libraries/{lib}")
assert status == 200, (status, body)
t0 = time.perf_counter()
series, first_purge, gone, count = [], None, None, assets
while time.perf_counter() - t0 < timeout:
    status, body = call("GET", f"/api/libraries/{lib}")
    t = time.perf_counter() - t0
    if status == 404:
        gone = t
        series.append([round(t, 2), 0])
        break
    count = body["asset_count"]
    if not series or series[-1][1] != count:
        series.append([round(t, 2), count])
    if first_purge is None and count < assets:
        first_purge = t
    time.sleep(poll)
end = gone if gone is not None else time.perf_counter() - t0
purged = assets if gone is not None else assets - count
out = {"assets": assets, "purged": purged, "finished": gone is not None, "seconds": end,
       "first_purge_after_s": first_purge, "series": series, "assets_per_s": purged / end,
       # from the first batch seen: without the wait for the first tick
       "assets_per_s_from_first_batch": purged / max(end - (first_purge or 0), 1e-9)}
print(json.dumps(out))
