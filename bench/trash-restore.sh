#!/usr/bin/env bash
# Trash and restore latency of a library with 1 asset vs one with 100,000 (seeded with SQL).
# Trash and restore touch one row, so the two must be flat. Usage: bench/trash-restore.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-30}
PORT=${BENCH_PORT:-8097}
DB=eucalypt_bench_trash
STORE=$(mktemp -d)
export EUCALYPT_DATABASE_URL="postgresql://localhost:5432/$DB" EUCALYPT_STORAGE_DIR="$STORE" \
       EUCALYPT_HTTP_PORT=$PORT EUCALYPT_DRAIN_INTERVAL=PT1H
psql -q -h localhost -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
[ -f target/eucalypt.jar ] || mvn -q -B package -DskipTests
KEY=$(java -jar target/eucalypt.jar create-user --email bench@example.org | sed 's/.*"api_key":"\([^"]*\)".*/\1/')
java -jar target/eucalypt.jar > "$STORE/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; psql -q -h localhost -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"; rm -rf "$STORE"' EXIT
until curl -sf "localhost:$PORT/api/server/ping" >/dev/null; do sleep 0.2; done
H="Authorization: Bearer $KEY"
lib() { curl -s -H "$H" -H 'content-type: application/json' -d "{\"name\":\"$1\"}" "localhost:$PORT/api/libraries" \
        | sed 's/.*"id":"\(lib_[^"]*\)".*/\1/'; }
SMALL=$(lib small); BIG=$(lib big)
# Asset rows straight in SQL, counters kept exact; no files are needed to time trash and restore.
psql -q -h localhost -d $DB <<SQL
WITH l AS (SELECT id, user_id, name FROM libraries WHERE name IN ('small', 'big'))
INSERT INTO assets (id, library_id, mime_type, original_file_name, local_datetime, checksum, checksum_sha1,
                    size_bytes, blob_key)
SELECT gen_random_uuid(), l.id, 'image/jpeg', 'p' || g || '.jpg', now() - g * interval '1 minute',
       sha256(convert_to(l.id::text || g, 'UTF8')), sha256(convert_to(g::text, 'UTF8')), 1000, gen_random_uuid()::text
  FROM l, generate_series(1, CASE WHEN l.name = 'big' THEN 100000 ELSE 1 END) g;
UPDATE libraries l SET asset_count = c.n, storage_used_bytes = c.b
  FROM (SELECT library_id, count(*) n, sum(size_bytes) b FROM assets GROUP BY 1) c WHERE c.library_id = l.id;
ANALYZE;
SQL
measure() { # $1 library id, $2 action
  for _ in $(seq 1 "$N"); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "$H" -X POST "localhost:$PORT/api/libraries/$1/$2"
    # Undo it, untimed, so every timed call does real work.
    if [ "$2" = trash ]; then undo=restore; else undo=trash; fi
    curl -s -o /dev/null -H "$H" -X POST "localhost:$PORT/api/libraries/$1/$undo"
  done | sort -n | awk '{a[NR]=$1} END {printf "median %.2f ms  p90 %.2f ms\n", a[int((NR+1)/2)]*1000, a[int(NR*0.9)]*1000}'
}
# Warm up the JIT and the pool, then measure.
N_SAVED=$N; N=50; measure "$SMALL" trash >/dev/null; N=$N_SAVED
echo "trash,   1 asset:        $(measure "$SMALL" trash)"
echo "trash,   100,000 assets: $(measure "$BIG" trash)"
curl -s -o /dev/null -H "$H" -X POST "localhost:$PORT/api/libraries/$SMALL/trash"
curl -s -o /dev/null -H "$H" -X POST "localhost:$PORT/api/libraries/$BIG/trash"
echo "restore, 1 asset:        $(measure "$SMALL" restore)"
echo "restore, 100,000 assets: $(measure "$BIG" restore)"
