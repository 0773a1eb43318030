"""The reference for the drain: what plain SQL does on this machine.  Deletes a library's assets
in batches of BATCH (DELETE ... RETURNING blob_key, one transaction each), unlinking each batch's
files after its commit, until none is left.  It picks each batch along the index the schema has
for a library's assets (assets_library_time), as the drain does (DrainSql.DELETE_LIBRARY_ASSETS),
so a batch costs its own rows.
Usage: drain_reference.py DSN STORE LIBRARY_UUID [BATCH]  -> JSON on stdout."""
import json
import os
import sys
import time

import psycopg2

dsn, store, library = sys.argv[1], sys.argv[2], sys.argv[3]
batch = int(sys.argv[4]) if len(sys.argv) > 4 else 100
blobs = os.path.join(store, "blobs")
conn = psycopg2.connect(dsn)
cur = conn.cursor()
deleted = batches = 0
t0 = time.perf_counter()
while True:
    cur.execute("""DELETE FROM assets
                    WHERE id IN (SELECT id FROM assets WHERE library_id = %s ORDER BY local_datetime, id LIMIT %s)
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
print(json.dumps({"assets": deleted, "batch": batch, "batches": batches, "seconds": elapsed, "assets_per_s": deleted / elapsed}))
