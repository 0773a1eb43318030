#!/usr/bin/env bash
# Trash and restore of a whole library, contents and all, against an empty one: a library of
# 1,000,000 assets, 10,000 albums with 100,000 memberships, 10,000 stacks of two, 100,000 faces and
# 10,000 people, seeded with SQL, next to a library of one asset. Trash and restore touch the
# library's row only (every read of its contents joins on it being live), so the two must cost the
# same: the ratio of their medians is the figure, measured over one keep-alive connection,
# interleaved (lib/trash_latency.py). The run also checks that a trashed library's contents answer
# 404 and come back whole on restore. Appends a row to bench/RESULTS.md.
#
# Usage: bench/trash-restore.sh            (about 5 minutes, most of it seeding)
#        BENCH_ASSETS=100000 bench/trash-restore.sh   (a quicker, smaller run; no row written)
set -euo pipefail
cd "$(dirname "$0")/.."
ASSETS=${BENCH_ASSETS:-1000000}
PORT=${BENCH_PORT:-8097}
DB=${BENCH_DB:-eucalypt_bench_trash}
STORE=$(mktemp -d)
export EUCALYPT_DATABASE_URL="postgresql://localhost:5432/$DB" EUCALYPT_STORAGE_DIR="$STORE" \
       EUCALYPT_HTTP_PORT=$PORT EUCALYPT_DRAIN_INTERVAL=PT1H EUCALYPT_RENDITION_WORKERS=1
command -v jq >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
psql -q -h localhost -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
mvn -q -B package -DskipTests
KEY=$(java -jar target/eucalypt.jar create-user --email bench@example.org | sed 's/.*"api_key":"\([^"]*\)".*/\1/')
java -jar target/eucalypt.jar > "$STORE/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; psql -q -h localhost -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"; rm -rf "$STORE"' EXIT
until curl -sf "localhost:$PORT/api/server/ping" >/dev/null; do sleep 0.2; done
H="Authorization: Bearer $KEY"
lib() { curl -s -H "$H" -H 'content-type: application/json' -d "{\"name\":\"$1\"}" "localhost:$PORT/api/libraries" | jq -r .id; }
SMALL=$(lib small); BIG=$(lib big)

log "seeding: $ASSETS assets, 10,000 albums, 100,000 memberships, 10,000 stacks, 100,000 faces, 10,000 people"
START=$(date +%s)
# Rows straight in SQL, with every counter and copy exact (album memberships carry their asset's
# live flag and capture time); no files are needed to time trash and restore.
psql -q -v ON_ERROR_STOP=1 -h localhost -d "$DB" <<SQL
SET synchronous_commit = off;
CREATE TEMP TABLE seq AS
SELECT g AS n, gen_random_uuid() AS id, l.id AS library_id, now()::timestamp - g * interval '1 minute' AS taken
  FROM libraries l, generate_series(1, $ASSETS) g WHERE l.name = 'big';
INSERT INTO assets (id, library_id, mime_type, original_file_name, local_datetime, checksum, checksum_sha1,
                    size_bytes, blob_key, created_at, updated_at)
SELECT id, library_id, 'image/jpeg', 'p' || n || '.jpg', taken, sha256(convert_to(id::text, 'UTF8')),
       sha256(convert_to(n::text, 'UTF8')), 1000, id::text, now(), now() FROM seq;
INSERT INTO assets (id, library_id, mime_type, original_file_name, local_datetime, checksum, checksum_sha1,
                    size_bytes, blob_key, created_at, updated_at)
SELECT gen_random_uuid(), id, 'image/jpeg', 'one.jpg', now(), sha256('one'), sha256('one'), 1000,
       gen_random_uuid()::text, now(), now() FROM libraries WHERE name = 'small';
-- 10,000 albums of 10 assets each: assets 1..100,000.
CREATE TEMP TABLE alb AS SELECT g AS n, gen_random_uuid() AS id FROM generate_series(0, 9999) g;
INSERT INTO albums (id, library_id, name, created_at, updated_at)
SELECT a.id, l.id, 'album ' || a.n, now(), now() FROM alb a, libraries l WHERE l.name = 'big';
INSERT INTO album_assets (id, album_id, asset_id, asset_live, local_datetime, created_at, updated_at)
SELECT gen_random_uuid(), a.id, s.id, true, s.taken, now(), now()
  FROM seq s JOIN alb a ON a.n = (s.n - 1) % 10000 WHERE s.n <= 100000;
-- 10,000 stacks of two: assets 100,001..120,000.
CREATE TEMP TABLE stk AS SELECT g AS n, gen_random_uuid() AS id FROM generate_series(0, 9999) g;
INSERT INTO stacks (id, library_id, origin, created_at, updated_at)
SELECT k.id, l.id, 'user', now(), now() FROM stk k, libraries l WHERE l.name = 'big';
UPDATE assets a SET stack_id = k.id FROM seq s JOIN stk k ON k.n = (s.n - 100001) / 2
 WHERE a.id = s.id AND s.n BETWEEN 100001 AND 120000;
\i bench/lib/seed_people.sql
UPDATE libraries l SET asset_count = c.n, storage_used_bytes = c.b
  FROM (SELECT library_id, count(*) n, sum(size_bytes) b FROM assets GROUP BY 1) c WHERE c.library_id = l.id;
VACUUM ANALYZE;
SQL
log "seeded in $(( $(date +%s) - START )) s"
psql -At -h localhost -d "$DB" -c "SELECT 'big library: ' || (SELECT count(*) FROM assets a JOIN libraries l ON l.id = a.library_id WHERE l.name = 'big') || ' assets, '
  || (SELECT count(*) FROM albums) || ' albums, ' || (SELECT count(*) FROM album_assets) || ' memberships, '
  || (SELECT count(*) FROM stacks) || ' stacks, ' || (SELECT count(*) FROM faces) || ' faces, '
  || (SELECT count(*) FROM people) || ' people'" >&2

# A trashed library's contents are gone from every read, and back whole on restore.
check() { # $1 expected status, $2 path
  local got; got=$(curl -s -o /dev/null -w '%{http_code}' -H "$H" "localhost:$PORT$2")
  [ "$got" = "$1" ] || { log "FAILED: GET $2 answered $got, expected $1"; exit 1; }
}
ALBUM=$(curl -s -H "$H" "localhost:$PORT/api/albums?library_id=$BIG&limit=1" | jq -r 'if type == "array" then .[0].id else .data[0].id end')
STACK=$(curl -s -H "$H" "localhost:$PORT/api/stacks?library_id=$BIG&limit=1" | jq -r 'if type == "array" then .[0].id else .data[0].id end')
curl -sf -o /dev/null -H "$H" -X POST "localhost:$PORT/api/libraries/$BIG/trash"
for p in "/api/albums/$ALBUM" "/api/stacks/$STACK" "/api/assets?library_id=$BIG&limit=1" \
         "/api/albums?library_id=$BIG" "/api/people?library_id=$BIG"; do check 404 "$p"; done
curl -sf -o /dev/null -H "$H" -X POST "localhost:$PORT/api/libraries/$BIG/restore"
for p in "/api/albums/$ALBUM" "/api/stacks/$STACK" "/api/albums?library_id=$BIG" "/api/people?library_id=$BIG"; do
  check 200 "$p"
done
[ "$(curl -s -H "$H" "localhost:$PORT/api/albums/$ALBUM" | jq .asset_count)" = 10 ] \
  || { log "FAILED: a restored album does not count its 10 assets"; exit 1; }
log "trashed contents answer 404, restored ones are whole"

OUT=$(python3 bench/lib/trash_latency.py "$PORT" "$KEY" "$SMALL" "$BIG")
echo "$OUT" | jq .
[ "$(echo "$OUT" | jq .errors)" = 0 ] || { log "FAILED: some calls did not answer 200"; exit 1; }
ms() { echo "$OUT" | jq -r "$1 / 1000 | . * 100 | round / 100"; }
ratio() { echo "$OUT" | jq -r "$1 | . * 100 | round / 100"; }
echo "trash   p50: 1 asset $(ms .assets_1.trash.p50) ms, full library $(ms .assets_1m.trash.p50) ms: $(ratio .trash_ratio_p50)x"
echo "restore p50: 1 asset $(ms .assets_1.restore.p50) ms, full library $(ms .assets_1m.restore.p50) ms: $(ratio .restore_ratio_p50)x"

if [ "$ASSETS" = 1000000 ]; then
  STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
  mkdir -p bench/results
  echo "$OUT" > "bench/results/$STAMP-trash-restore.json"
  HEADER="| run (UTC) | commit | library | trash p50 / p90 (vs 1 asset) | restore p50 / p90 (vs 1 asset) | details |"
  grep -qF "$HEADER" bench/RESULTS.md || printf '\n### Trash and restore of a full library (bench/trash-restore.sh)\n\n%s\n|---|---|---|---|---|---|\n' "$HEADER" >> bench/RESULTS.md
  echo "| $STAMP | \`$(git rev-parse --short HEAD)\`$(git diff --quiet HEAD || echo ' +uncommitted') | 1,000,000 assets, 10,000 albums, 100,000 memberships, 10,000 stacks, 100,000 faces, 10,000 people | $(ms .assets_1m.trash.p50) / $(ms .assets_1m.trash.p90) ms vs $(ms .assets_1.trash.p50) / $(ms .assets_1.trash.p90) ms (**$(ratio .trash_ratio_p50)×**) | $(ms .assets_1m.restore.p50) / $(ms .assets_1m.restore.p90) ms vs $(ms .assets_1.restore.p50) / $(ms .assets_1.restore.p90) ms (**$(ratio .restore_ratio_p50)×**) | [json](results/$STAMP-trash-restore.json) |" >> bench/RESULTS.md
  log "row appended to bench/RESULTS.md"
fi
