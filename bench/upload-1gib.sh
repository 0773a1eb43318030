#!/usr/bin/env bash
# Uploads a 1 GiB file to a server limited to a 128 MB heap and checks that it streams: the
# answer must be 201, the server must survive (no OutOfMemoryError), and the stored bytes must
# hash like the source. Reports the upload speed and the server's peak RSS.
# Usage: bench/upload-1gib.sh   (env: BENCH_PORT, default 8096; BENCH_SIZE in bytes, default 1 GiB)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${BENCH_PORT:-8096}
SIZE=${BENCH_SIZE:-1073741824}
DB=eucalypt_bench_upload
export PGOPTIONS="-c client_min_messages=warning"  # no NOTICE for "does not exist, skipping"
TMP=$(mktemp -d)
STORE="$TMP/storage"
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  psql -q -h localhost -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$TMP/server.log" ] && tail -n 20 "$TMP/server.log" >&2; exit 1; }

export EUCALYPT_DATABASE_URL="postgresql://localhost:5432/$DB" EUCALYPT_STORAGE_DIR="$STORE" \
       EUCALYPT_HTTP_PORT=$PORT EUCALYPT_DRAIN_INTERVAL=PT1H
[ -f target/eucalypt.jar ] || mvn -q -B package -DskipTests
psql -q -h localhost -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
psql -q -h localhost -d postgres -c "CREATE DATABASE $DB" >/dev/null
KEY=$(java -jar target/eucalypt.jar create-user --email bench-upload@example.org | jq -r .api_key)

# Exit on OutOfMemoryError rather than limp on, so "the server died" is unambiguous.
java -Xmx128m -XX:+ExitOnOutOfMemoryError -jar target/eucalypt.jar > "$TMP/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 150); do
  curl -sf "localhost:$PORT/api/server/ping" >/dev/null && break
  kill -0 "$SERVER" 2>/dev/null || fail "server did not start"
  sleep 0.2
done
H="Authorization: Bearer $KEY"
LIB=$(curl -sf -H "$H" -H 'content-type: application/json' -d '{"name":"big"}' "localhost:$PORT/api/libraries" | jq -r .id)
[[ $LIB == lib_* ]] || fail "could not create a library"
hwm() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER/status"; }
echo "server peak RSS before the upload: $(hwm) MB"

echo "generating $SIZE random bytes..."
head -c "$SIZE" /dev/urandom > "$TMP/big.mp4"
SOURCE_SHA=$(sha256sum "$TMP/big.mp4" | cut -d' ' -f1)

echo "uploading..."
OUT=$(curl -s -o "$TMP/answer.json" -w '%{http_code} %{speed_upload} %{time_total}' -H "$H" \
  -F asset_data=@"$TMP/big.mp4" -F device_asset_id=bench-big -F device_id=bench \
  -F file_created_at=2024-07-01T10:00:00Z -F file_modified_at=2024-07-01T10:00:00Z \
  "localhost:$PORT/api/assets?library_id=$LIB") || true
read -r STATUS SPEED ELAPSED <<< "$OUT"
kill -0 "$SERVER" 2>/dev/null || fail "the server died during the upload"
PEAK=$(hwm)
grep -q OutOfMemoryError "$TMP/server.log" && fail "OutOfMemoryError in the server log"
printf 'status: %s\nupload: %.1f MB/s (%.1f s)\nserver peak RSS after the upload: %s MB\n' \
  "$STATUS" "$(echo "$SPEED / 1000000" | bc -l)" "$ELAPSED" "$PEAK"
[ "$STATUS" = 201 ] || fail "expected 201, got $STATUS: $(head -c 500 "$TMP/answer.json")"

URL=$(jq -r .asset_urls.original.url "$TMP/answer.json")
STORED_SHA=$(curl -sf "$URL" | sha256sum | cut -d' ' -f1)
BLOB_SHA=$(find "$STORE/blobs" -type f -exec sha256sum {} + | cut -d' ' -f1)
echo "sha256 source:     $SOURCE_SHA"
echo "sha256 downloaded: $STORED_SHA"
echo "sha256 under blobs: $BLOB_SHA"
[ "$SOURCE_SHA" = "$STORED_SHA" ] && [ "$SOURCE_SHA" = "$BLOB_SHA" ] || fail "the stored bytes differ from the source"
LEFT=$(find "$STORE/staging" -type f | wc -l)
[ "$LEFT" = 0 ] || fail "$LEFT file(s) left in staging"
kill -0 "$SERVER" 2>/dev/null || fail "the server died during the download"
echo "server peak RSS after the download: $(hwm) MB"
echo "OK"
