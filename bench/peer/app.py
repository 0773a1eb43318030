"""The peer: GET /api/libraries/{library_id} on Gumnut's own stack, FastAPI + asyncpg, for
bench/run.sh to set beside eucalypt. It does what eucalypt does for that request:

- authentication: ``Authorization: Bearer <key>``, looked up by the SHA-256 of the key in
  api_keys joined to users (eucalypt's auth/AuthSql.PRINCIPAL), 401 with ``WWW-Authenticate:
  Bearer`` when unknown or inactive. Principals are cached per worker for 60 s, as eucalypt's
  auth/PrincipalCache does, and evicted on eucalypt's NOTIFY channel (``eucalypt_auth``), so a
  warm request costs one query, as on eucalypt;
- permission: the key must have the ``read`` action (403), and a key scoped to selected
  libraries reaches only those (404, like a library that does not exist);
- the id: ``lib_`` + 22 base-57 digits, decoded to the row's UUID (404 when malformed);
- the row: eucalypt's library/LibrarySql.GET, the row as the same JSON (ids in Gumnut's format,
  UTC times with microseconds), encoded once. Not through a pydantic response model: eucalypt
  does not validate its answers either, and the peer should be the stack at its quickest.

Run by bench/run.sh as ``uvicorn app:app --workers <cores> --loop uvloop --http httptools
--no-access-log``, with PEER_DATABASE (database name, on localhost:5432 as the OS user) and
PEER_POOL_SIZE (connections per worker: eucalypt's pool size over the number of workers).
"""
import hashlib
import os
import time
import uuid
from typing import Optional

import asyncpg
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

PRINCIPAL = """
    SELECT k.id AS key_id, k.user_id, k.actions, k.library_scope_mode,
           ARRAY(SELECT kl.library_id FROM api_key_libraries kl WHERE kl.api_key_id = k.id) AS library_ids
      FROM api_keys k JOIN users u ON u.id = k.user_id
     WHERE k.secret_sha256 = $1 AND k.is_active AND u.is_active"""
GET_LIBRARY = """
    SELECT id, user_id, name, description, asset_count, storage_used_bytes, storage_limit_bytes,
           trashed_at, purge_after, created_at, updated_at
      FROM libraries WHERE id = $1 AND user_id = $2"""
TTL_S = 60
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
DIGIT = {c: i for i, c in enumerate(ALPHABET)}

app = FastAPI()
db: Optional[asyncpg.Pool] = None
listener: Optional[asyncpg.Connection] = None
principals = {}  # secret hash -> (principal, expires at)


class Refusal(Exception):
    def __init__(self, status, detail, headers=None):
        self.status, self.detail, self.headers = status, detail, headers


@app.exception_handler(Refusal)
async def refused(request, e):
    return JSONResponse({"detail": e.detail}, status_code=e.status, headers=e.headers)


@app.on_event("startup")
async def connect():
    global db, listener
    database = os.environ["PEER_DATABASE"]
    db = await asyncpg.create_pool(host="localhost", port=5432, database=database,
                                   min_size=int(os.environ["PEER_POOL_SIZE"]), max_size=int(os.environ["PEER_POOL_SIZE"]))
    listener = await asyncpg.connect(host="localhost", port=5432, database=database)
    await listener.add_listener("eucalypt_auth", forget)


def forget(connection, pid, channel, key_id):
    for h in [h for h, (p, _) in principals.items() if str(p["key_id"]) == key_id]:
        principals.pop(h, None)


async def principal(request: Request):
    header = request.headers.get("authorization", "").strip()
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if not token:
        raise Refusal(401, "Not authenticated", {"WWW-Authenticate": "Bearer"})
    h = hashlib.sha256(token.encode()).digest()
    cached = principals.get(h)
    if cached and cached[1] > time.monotonic():
        return cached[0]
    row = await db.fetchrow(PRINCIPAL, h)
    if row is None:
        raise Refusal(401, "Not authenticated", {"WWW-Authenticate": "Bearer"})
    p = {"key_id": row["key_id"], "user_id": row["user_id"], "actions": set(row["actions"]),
         "library_ids": set(row["library_ids"]) if row["library_scope_mode"] == "selected_libraries" else None}
    principals[h] = (p, time.monotonic() + TTL_S)
    return p


def decode(public_id, prefix):
    digits = public_id[len(prefix):]
    if not public_id.startswith(prefix) or len(digits) != 22:
        return None
    n = 0
    for c in digits:
        d = DIGIT.get(c)
        if d is None:
            return None
        n = n * 57 + d
    return uuid.UUID(int=n) if n < 1 << 128 else None


def encode(u):
    n, out = u.int, []
    for _ in range(22):
        n, r = divmod(n, 57)
        out.append(ALPHABET[r])
    return "".join(reversed(out))


def when(t):
    return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # asyncpg gives timestamptz in UTC


@app.get("/api/libraries/{library_id}")
async def get_library(library_id: str, p=Depends(principal)):
    if "read" not in p["actions"]:
        raise Refusal(403, "This API key lacks the 'read' action")
    lib = decode(library_id, "lib_")
    if lib is None or (p["library_ids"] is not None and lib not in p["library_ids"]):
        raise Refusal(404, "Not found")
    r = await db.fetchrow(GET_LIBRARY, lib, p["user_id"])
    if r is None:
        raise Refusal(404, "Not found")
    return JSONResponse({
        "id": "lib_" + encode(r["id"]), "name": r["name"], "description": r["description"],
        "user_id": "intuser_" + encode(r["user_id"]), "asset_count": r["asset_count"],
        "storage_used_bytes": r["storage_used_bytes"], "storage_limit_bytes": r["storage_limit_bytes"],
        "trashed_at": when(r["trashed_at"]), "purge_after": when(r["purge_after"]),
        "created_at": when(r["created_at"]), "updated_at": when(r["updated_at"])})
