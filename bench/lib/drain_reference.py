"""The reference for the drain: what plain SQL does on this machine.  Deletes a library's assets
in batches of BATCH (DELETE ... RETURNING blob_key, one transaction each, in the drain's order),
unlinking each batch's files after its commit, until none is left.
Usage: drain_reference.py DSN STORE LIBRARY_UUID [BATCH]  -> JSON on stdout."""
import json
import os
import sys
import time

import psycopg2

dsn, store, library = sys.argv[1], sys.argv[2], sys.argv[3]
batch = int(sys.argv[4]) if len(sys.argv) > 4 else 500
blobs = os.path.join(store, "blobs")
conn = psycopg2.connect(dsn)
cur = conn.cursor()
deleted = batches = 0
t0 = time.perf_counter()
while True:
    cur.execute("""DELETE FROM assets
                    WHERE id IN (SELECT id FROM assets WHERE library_id = %s ORDER BY id LIMIT %s)
                   RETURNING blob_key""", (library, batch))
    keys = [k for (k,) in cur.fetchall()]
    conn.commit()
    for k in keys:
        os.unlink(os.path.join(blobs, k[0:2], k[2:4], k))
    deleted += len(keys)
    batches += 1
    if len(keys) < batch:
        break
elapsed = time.perf_counter() - t0
conn.close()
print(json.dumps({"assets": deleted, "batches": batches, "seconds": elapsed, "assets_per_s": deleted / elapsed}))
