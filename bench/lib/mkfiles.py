"""Creates the stored file of every asset of the given libraries: 1 byte at
STORE/blobs/<k[0:2]>/<k[2:4]>/<k>, where the server's LocalBlobStore keeps it, so that the drain
(and the reference loop) unlink real files.  Usage: mkfiles.py DSN STORE LIBRARY_UUID..."""
import os
import sys

import psycopg2

dsn, store, libraries = sys.argv[1], sys.argv[2], sys.argv[3:]
blobs = os.path.join(store, "blobs")
made_dirs = set()
n = 0
with psycopg2.connect(dsn) as conn, conn.cursor(name="keys") as cur:
    cur.itersize = 50_000
    cur.execute("SELECT blob_key FROM assets WHERE library_id = ANY(%s::uuid[])", (libraries,))
    for (key,) in cur:
        d = os.path.join(blobs, key[0:2], key[2:4])
        if d not in made_dirs:
            os.makedirs(d, exist_ok=True)
            made_dirs.add(d)
        fd = os.open(os.path.join(d, key), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, b"x")
        os.close(fd)
        n += 1
print(n)
