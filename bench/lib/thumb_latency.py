"""Upload to servable thumbnail, one photo at a time (the queue otherwise empty): for each file,
the clock starts as the upload is sent and stops at the first 200 of
GET /api/assets/{id}/variants/thumbnail, polled every 10 ms on a keep-alive connection of its own.
The next photo goes up once the last is servable. Prints JSON: every photo's seconds (upload alone,
and to the thumbnail) and their p50 / p99.

Usage: thumb_latency.py PORT KEY LIBRARY_ID FILE...
"""
import http.client
import json
import os
import sys
import time
import uuid

port, key, library = int(sys.argv[1]), sys.argv[2], sys.argv[3]
files = sys.argv[4:]
auth = {"Authorization": "Bearer " + key}
POLL_S = 0.01
GIVE_UP_S = 120


def multipart(path):
    boundary = uuid.uuid4().hex
    name = os.path.basename(path)
    fields = {"device_asset_id": "latency-" + name, "device_id": "bench",
              "file_created_at": "2024-07-01T10:00:00Z", "file_modified_at": "2024-07-01T10:00:00Z"}
    parts = []
    for k, v in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    with open(path, "rb") as f:
        data = f.read()
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="asset_data"; filename="{name}"\r\n'
                 f'Content-Type: image/jpeg\r\n\r\n'.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), "multipart/form-data; boundary=" + boundary


def pct(xs, p):
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]


up = http.client.HTTPConnection("localhost", port, timeout=60)
poll = http.client.HTTPConnection("localhost", port, timeout=60)
rows = []
for path in files:
    body, ctype = multipart(path)
    t0 = time.monotonic()
    up.request("POST", f"/api/assets?library_id={library}", body=body, headers={**auth, "Content-Type": ctype})
    r = up.getresponse()
    answer = r.read()
    if r.status not in (200, 201):
        sys.exit(f"upload of {path}: HTTP {r.status} {answer[:200]!r}")
    t_up = time.monotonic() - t0
    asset = json.loads(answer)["id"]
    while True:
        poll.request("GET", f"/api/assets/{asset}/variants/thumbnail", headers=auth)
        r = poll.getresponse()
        r.read()
        if r.status == 200:
            break
        if r.status != 404:
            sys.exit(f"thumbnail of {asset}: HTTP {r.status}")
        if time.monotonic() - t0 > GIVE_UP_S:
            sys.exit(f"thumbnail of {asset}: not servable after {GIVE_UP_S} s")
        time.sleep(POLL_S)
    rows.append({"file": os.path.basename(path), "upload_s": t_up, "thumbnail_s": time.monotonic() - t0})

t = [r["thumbnail_s"] for r in rows]
u = [r["upload_s"] for r in rows]
print(json.dumps({"photos": len(rows), "poll_s": POLL_S, "via": "GET /api/assets/{id}/variants/thumbnail",
                  "thumbnail_s": {"p50": pct(t, 50), "p99": pct(t, 99), "max": max(t)},
                  "upload_s": {"p50": pct(u, 50), "p99": pct(u, 99)}, "each": rows}))
