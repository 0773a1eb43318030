#!/usr/bin/env bash
# eucalypt's rendition pipeline (issue 17), in one run over one corpus, each figure beside a
# reference measured in the same run on the same machine (shared and noisy: the ratios count):
#
#   bench/renditions.sh                       # 200 photos + 8 HEIC + 4 videos, a row in bench/RESULTS.md
#   BENCH_PHOTOS=40 bench/renditions.sh       # a quick run (no row: fewer than 200 photos)
#
#   a. throughput: the corpus (camera-sized JPEGs with EXIF, HEIC, short H.264 MP4s, made by
#      bench/lib/mkcorpus.sh and cached) rendered by a bare libvips batch making the very same
#      files from the same originals (bench/lib/rendition_reference.sh, xargs -P <the server's
#      rendition workers>, at the decoders' priority, nice 10, as the server runs them) and by the
#      server (uploaded on 4 connections, then until every task is done), taking turns on
#      BENCH_CHUNKS (4) chunks of the same mix, each in a session of its own, so the machine's
#      drifting load weighs on both; after a warm-up of BENCH_WARMUP_PHOTOS other photos. Originals per
#      second, and CPU-seconds per original: the server's own (uploads included) and its reaped
#      children's (every decoder), from /proc. Goal: >= 0.8x the reference, on both.
#   b. GET /api/assets pages (a paced client, bench/lib/paced.lua) while renditions run vs idle:
#      p99 goal under 2x. The busy window re-runs the corpus's tasks (requeued in SQL: the same
#      work again; what it makes is discarded, the variants being recorded already).
#   c. the server's RSS, sampled each second from the first upload to the end: flat (the peak of
#      the second half at most 1.1x the first half's).
#   d. upload to servable thumbnail, one photo at a time (bench/lib/thumb_latency.py), p50 and
#      p99, beside the bare batch's own time for the same photos.
#
# Installs what is missing from Debian's packages (libvips-tools, ffmpeg, libheif-examples,
# libimage-exiftool-perl, wrk, jq, time), builds the jar, runs the server on a fresh database of
# its own, and writes bench/results/<stamp>-renditions.json and a row in the renditions table of
# bench/RESULTS.md (runs of fewer than 200 photos write <stamp>-renditions-partial.json, no row).
#
# Environment: BENCH_PHOTOS (200), BENCH_LATENCY_PHOTOS (30), BENCH_HEIC (8), BENCH_VIDEOS (4),
# BENCH_WARMUP_PHOTOS (10), BENCH_CHUNKS (4),
# BENCH_WORKERS (the server's rendition_workers and the reference's -P; default the server's
# own default, half the cores, at least 1), BENCH_DURATION (seconds of each API measurement, 20),
# BENCH_WARMUP (20), BENCH_API_CONNECTIONS (8), BENCH_API_DELAY_MS (25), BENCH_PORT (8098),
# BENCH_DB (eucalypt_bench_renditions), BENCH_CORPUS (/tmp/eucalypt-bench-corpus, reused when it
# matches), BENCH_KEEP=1, BENCH_NO_BUILD=1. Needs PostgreSQL on localhost:5432 as the OS user.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=$ROOT/bench
export BENCH_LIB=$BENCH/lib
PHOTOS=${BENCH_PHOTOS:-200}
LATENCY_PHOTOS=${BENCH_LATENCY_PHOTOS:-30}
HEIC=${BENCH_HEIC:-8}
VIDEOS=${BENCH_VIDEOS:-4}
WARMUP_PHOTOS=${BENCH_WARMUP_PHOTOS:-10}
CHUNKS=${BENCH_CHUNKS:-4}
WORKERS=${BENCH_WORKERS:-$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 ))}
DUR=${BENCH_DURATION:-20}
WARM=${BENCH_WARMUP:-20}
API_C=${BENCH_API_CONNECTIONS:-8}
export BENCH_API_DELAY_MS=${BENCH_API_DELAY_MS:-25}
PORT=${BENCH_PORT:-8098}
DB=${BENCH_DB:-eucalypt_bench_renditions}
CORPUS=${BENCH_CORPUS:-/tmp/eucalypt-bench-corpus}
START=$(date +%s)
STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
TMP=$(mktemp -d /tmp/eucalypt-bench-renditions.XXXXXX)
M=$TMP/m
mkdir -p "$M" "$TMP/store" "$BENCH/results"
cut -d" " -f1 /proc/loadavg >"$M/load-start"
export PGHOST=localhost PGPORT=5432 PGOPTIONS="-c client_min_messages=warning"
SERVER=
SAMPLER=

log() { printf '[%4ds] %s\n' $(( $(date +%s) - START )) "$*" >&2; }
fail() {
  echo "FAIL: $*" >&2
  [ -f "$TMP/server.log" ] && { echo "--- server log" >&2; tail -n 30 "$TMP/server.log" >&2; }
  exit 1
}
cleanup() {
  [ -n "$SAMPLER" ] && { kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; }
  [ -n "$SERVER" ] && { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "${BENCH_KEEP:-}" = 1 ]; then echo "scratch kept in $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

# ---- tools -------------------------------------------------------------------------------------
need=()
command -v vips >/dev/null || need+=(libvips-tools)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v heif-enc >/dev/null || need+=(libheif-examples)
command -v exiftool >/dev/null || need+=(libimage-exiftool-perl)
command -v wrk >/dev/null || need+=(wrk)
command -v jq >/dev/null || need+=(jq)
[ -x /usr/bin/time ] || need+=(time)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  log "installing ${need[*]}"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
fi

# ---- build, corpus -------------------------------------------------------------------------------
if [ "${BENCH_NO_BUILD:-}" != 1 ]; then
  log "building the jar"
  mvn -q -B package -DskipTests
fi
cp target/eucalypt.jar "$TMP/eucalypt.jar"
log "corpus: $PHOTOS + $LATENCY_PHOTOS + $WARMUP_PHOTOS JPEGs, $HEIC HEIC, $VIDEOS videos in $CORPUS (made once, then reused)"
"$BENCH_LIB/mkcorpus.sh" "$CORPUS" "$PHOTOS" "$LATENCY_PHOTOS" "$HEIC" "$VIDEOS" "$WARMUP_PHOTOS" || fail "making the corpus"
BATCH=() LATENCY=() WARMUP=()
for i in $(seq 1 "$PHOTOS"); do BATCH+=("$(printf '%s/photos/p%04d.jpg' "$CORPUS" "$i")"); done
for i in $(seq 1 "$HEIC"); do BATCH+=("$(printf '%s/heic/h%03d.heic' "$CORPUS" "$i")"); done
for i in $(seq 1 "$VIDEOS"); do BATCH+=("$(printf '%s/video/v%02d.mp4' "$CORPUS" "$i")"); done
for i in $(seq 1 "$LATENCY_PHOTOS"); do LATENCY+=("$(printf '%s/latency/l%04d.jpg' "$CORPUS" "$i")"); done
for i in $(seq 1 "$WARMUP_PHOTOS"); do WARMUP+=("$(printf '%s/warmup/w%04d.jpg' "$CORPUS" "$i")"); done
ITEMS=${#BATCH[@]}
du -sb "${BATCH[@]}" | awk '{s += $1} END {print s}' >"$M/corpus-bytes"

# ---- the server on a fresh database --------------------------------------------------------------
for v in $(env | grep -o '^EUCALYPT_[A-Z_]*' || true); do unset "$v"; done
export EUCALYPT_DATABASE_URL="postgresql://localhost:5432/$DB" EUCALYPT_STORAGE_DIR="$TMP/store" EUCALYPT_HTTP_PORT=$PORT
psql -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
java -jar "$TMP/eucalypt.jar" migrate >/dev/null 2>"$TMP/migrate.log" || { cat "$TMP/migrate.log" >&2; fail "migrate"; }
KEY=$(java -jar "$TMP/eucalypt.jar" create-user --email bench@example.org 2>/dev/null | jq -r .api_key)
[ -n "$KEY" ] || fail "create-user"
H="Authorization: Bearer $KEY"
# In a session of its own (see a.), as a server started by its service manager is.
EUCALYPT_RENDITION_WORKERS=$WORKERS setsid java -jar "$TMP/eucalypt.jar" >"$TMP/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do
  curl -sf --max-time 2 "localhost:$PORT/api/server/ping" >/dev/null && break
  kill -0 "$SERVER" 2>/dev/null || fail "the server did not start"
  sleep 0.1
done
LIB=$(curl -sf -H "$H" -H 'content-type: application/json' -d '{"name":"photos"}' "localhost:$PORT/api/libraries" | jq -r .id)
[ -n "$LIB" ] && [ "$LIB" != null ] || fail "creating the library"

cpu_ticks() { # the server's CPU so far, its own and its reaped children's (every decoder), in ticks
  awk '{sub(/^.*\) /, ""); print $12 + $13, $14 + $15}' "/proc/$SERVER/stat"
}
queue_left() { psql -Atq -d "$DB" -c "SELECT count(*) FILTER (WHERE status IN ('pending', 'started')) FROM tasks"; }
wait_queue() { # until no task is pending or started
  while [ "$(queue_left)" != 0 ]; do sleep 0.2; done
}
upload() { # file: prints the asset id
  curl -sf -H "$H" -F asset_data=@"$1" -F device_asset_id="$(basename "$1")" -F device_id=bench \
    -F file_created_at=2024-07-01T10:00:00Z -F file_modified_at=2024-07-01T10:00:00Z \
    "localhost:$PORT/api/assets?library_id=$LIB" | jq -r .id
}
wrkpaced() { # name seconds: the paced client on GET /api/assets pages
  WRK_OUT=$M/$1.json wrk -t1 -c"$API_C" -d"$2"s --timeout 10s -s "$BENCH_LIB/paced.lua" -H "$H" \
    "http://localhost:$PORT/api/assets?library_id=$LIB&limit=50" >"$M/$1.txt" 2>&1 || fail "wrk $1: $(cat "$M/$1.txt")"
  log "  $1: $(jq -r '"\(.requests * 1e6 / .duration_us | floor) req/s  p50 \(.latency_us.p50/1000) ms  p99 \(.latency_us.p99/1000) ms  errors \(.errors | add)"' "$M/$1.json")"
}

# ---- c. RSS, each second from here on -----------------------------------------------------------
( while kill -0 "$SERVER" 2>/dev/null; do
    echo "$(date +%s.%N) $(awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status" 2>/dev/null)"; sleep 1
  done ) >"$M/rss.txt" &
SAMPLER=$!

# ---- a. throughput: the bare batch and the server, taking turns on chunks of the corpus ---------
# A warm-up first, as every contender of bench/run.sh gets: the JIT compiles the upload and
# rendition paths on other photos than the measured ones.
log "a. server warm-up: ${#WARMUP[@]} photos"
for f in "${WARMUP[@]}"; do
  id=$(upload "$f") && [ -n "$id" ] && [ "$id" != null ] || fail "upload of $f"
done
wait_queue
# BENCH_CHUNKS chunks of the same mix (every CHUNKS-th original), each rendered by the bare batch
# and then by the server: the machine's other load, which drifts, weighs on both alike. Each runs
# in a session of its own (setsid), so the kernel's autogroup scheduling gives each its own share
# against the machine's other sessions, as a server has, and this script's polling never competes
# with either. The originals are read once first, so both find them in the page cache.
declare -A CHUNK
for i in "${!BATCH[@]}"; do CHUNK[$(( i % CHUNKS ))]+="${BATCH[$i]}"$'\n'; done
cat "${BATCH[@]}" >/dev/null
TICK=$(getconf CLK_TCK)
reference() { # name files...: the bare batch, xargs -P <workers>, at the decoders' priority
  local name=$1; shift
  for f in "$@"; do echo "$f $TMP/ref/$(basename "$f")"; done >"$TMP/ref.list"
  setsid /usr/bin/time -f '{"seconds": %e, "user_s": %U, "system_s": %S}' -o "$M/$name.json" \
    nice -n 10 xargs -P "$WORKERS" -L 1 "$BENCH_LIB/rendition_reference.sh" <"$TMP/ref.list" || fail "reference $name"
  log "  $name: $(jq -r --argjson n "$#" '"\($n) originals in \(.seconds) s, \((.user_s + .system_s) / $n * 1000 | floor) ms CPU each"' "$M/$name.json")"
}
server() { # name files...: uploaded on 4 connections, then until every task is done
  local name=$1; shift
  local own0 child0 own1 child1 t0 tup t1
  read -r own0 child0 < <(cpu_ticks)
  t0=$(date +%s.%N)
  printf '%s\n' "$@" | xargs -P 4 -I{} curl -sf -o /dev/null -H "$H" -F asset_data=@{} -F device_asset_id={} \
    -F device_id=bench -F file_created_at=2024-07-01T10:00:00Z -F file_modified_at=2024-07-01T10:00:00Z \
    "localhost:$PORT/api/assets?library_id=$LIB" || fail "uploads of $name"
  tup=$(date +%s.%N)
  wait_queue
  # The last task's own end, not this script's poll that saw it.
  t1=$(psql -Atq -d "$DB" -c "SELECT extract(epoch FROM max(completed_at)) FROM tasks")
  read -r own1 child1 < <(cpu_ticks)
  jq -n --argjson n "$#" --argjson t0 "$t0" --argjson tup "$tup" --argjson t1 "$t1" --argjson tick "$TICK" \
    --argjson own "$((own1 - own0))" --argjson child "$((child1 - child0))" \
    '{originals: $n, seconds: ($t1 - $t0), upload_seconds: ($tup - $t0), own_cpu_s: ($own / $tick),
      children_cpu_s: ($child / $tick)}' >"$M/$name.json"
  log "  $name: $(jq -r '"\(.originals) originals in \(.seconds * 100 | floor / 100) s (uploads \(.upload_seconds * 10 | floor / 10) s), \((.own_cpu_s + .children_cpu_s) / .originals * 1000 | floor) ms CPU each (\(.children_cpu_s / .originals * 1000 | floor) in decoders)"' "$M/$name.json")"
}
log "a. $ITEMS originals in $CHUNKS chunks, $WORKERS rendition worker(s), taking turns: bare batch (bench/lib/rendition_reference.sh), then server"
rm -rf "$TMP/ref"
for c in $(seq 0 $(( CHUNKS - 1 ))); do
  mapfile -t files < <(printf '%s' "${CHUNK[$c]}")
  reference "reference-$c" "${files[@]}"
  server "server-$c" "${files[@]}"
done
MADE=$(find "$TMP/ref" -type f \( -name '*.jpg' -o -name '*.webp' \) | wc -l)
jq -s --argjson files "$MADE" '{seconds: (map(.seconds) | add), user_s: (map(.user_s) | add),
  system_s: (map(.system_s) | add), files: $files, chunks: .}' "$M"/reference-[0-9]*.json >"$M/reference.json"
jq -s '{originals: (map(.originals) | add), seconds: (map(.seconds) | add), upload_seconds: (map(.upload_seconds) | add),
  own_cpu_s: (map(.own_cpu_s) | add), children_cpu_s: (map(.children_cpu_s) | add), chunks: .}' \
  "$M"/server-[0-9]*.json >"$M/server.json"
rm -rf "$TMP/ref"
# The batch's assets alone (the warm-up's files are w*.jpg).
psql -Atq -d "$DB" >"$M/server-tasks.json" <<'SQL'
WITH batch AS (SELECT id, created_at FROM assets WHERE original_file_name NOT LIKE 'w%'),
     t AS (SELECT * FROM tasks WHERE asset_id IN (SELECT id FROM batch))
SELECT json_build_object(
  'tasks', count(*), 'succeeded', count(*) FILTER (WHERE status = 'success'),
  'failed', count(*) FILTER (WHERE status = 'failure'),
  'errors', coalesce(json_agg(DISTINCT error_message) FILTER (WHERE status = 'failure'), '[]'),
  'files', (SELECT count(*) FROM renditions WHERE asset_id IN (SELECT id FROM batch)),
  'assets', (SELECT count(*) FROM batch),
  -- Each asset's wait in its burst: its upload's row to its last task's success.
  'burst_seconds', (SELECT json_agg(s ORDER BY s) FROM (
     SELECT extract(epoch FROM max(t.completed_at) - b.created_at) s
       FROM batch b JOIN t ON t.asset_id = b.id GROUP BY b.id, b.created_at) x))
FROM t
SQL
log "  bare batch $(jq -r --argjson n "$ITEMS" '"\($n / .seconds * 100 | floor / 100) originals/s, \((.user_s + .system_s) / $n * 1000 | floor) ms CPU each"' "$M/reference.json"); server $(jq -r '"\(.originals / .seconds * 100 | floor / 100) originals/s, \((.own_cpu_s + .children_cpu_s) / .originals * 1000 | floor) ms CPU each"' "$M/server.json"); tasks: $(jq -c '{tasks, succeeded, failed, files}' "$M/server-tasks.json")"

# ---- b. GET pages, idle vs while renditions run ---------------------------------------------------
log "b. GET /api/assets?limit=50 pages, $API_C connections each pausing ${BENCH_API_DELAY_MS} ms"
wrkpaced warmup "$WARM"
wrkpaced api-idle "$DUR"
# The same work again: every task of the corpus back in the queue.
psql -q -d "$DB" -c "UPDATE tasks SET status = 'pending', attempts = 0, run_after = now(), completed_at = NULL" \
  -c "NOTIFY eucalypt_tasks" >/dev/null
read -r BOWN0 BCHILD0 < <(cpu_ticks)
wrkpaced api-busy "$DUR"
read -r BOWN1 BCHILD1 < <(cpu_ticks)
LEFT=$(queue_left)
DONE=$(psql -Atq -d "$DB" -c "SELECT count(*) FROM tasks WHERE completed_at IS NOT NULL")
jq -n --argjson left "$LEFT" --argjson done "$DONE" --argjson child "$(( BCHILD1 - BCHILD0 ))" --argjson tick "$TICK" \
  '{queue_left_at_end: $left, tasks_done_in_window: $done, decoders_cpu_s_in_window: ($child / $tick)}' >"$M/api-busy-queue.json"
log "  while rendering: $DONE tasks done in the window, $LEFT still queued at its end"
[ "$LEFT" -gt 0 ] || log "  WARNING: the queue emptied before the busy window ended (BENCH_DURATION too long for this corpus)"
# What is left is not needed: dropped, and the tasks under way waited for.
psql -q -d "$DB" -c "UPDATE tasks SET status = 'success' WHERE status = 'pending'" >/dev/null
wait_queue

# ---- d. upload to servable thumbnail, one at a time ------------------------------------------------
# The reference: the bare batch's time for each of the same photos alone.
for f in "${LATENCY[@]}"; do
  s=$(date +%s.%N); nice -n 10 "$BENCH_LIB/rendition_reference.sh" "$f" "$TMP/ref-latency/$(basename "$f")"; e=$(date +%s.%N)
  echo "$s $e"
done | awk '{print $2 - $1}' | jq -sc '{seconds: .}' >"$M/reference-latency.json" || fail "reference latency"
rm -rf "$TMP/ref-latency"
log "d. upload to servable thumbnail: ${#LATENCY[@]} photos, one at a time"
python3 "$BENCH_LIB/thumb_latency.py" "$PORT" "$KEY" "$LIB" "${LATENCY[@]}" >"$M/latency.json" || fail "latency"
log "  p50 $(jq .thumbnail_s.p50 "$M/latency.json") s, p99 $(jq .thumbnail_s.p99 "$M/latency.json") s"
wait_queue

kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=
kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=

# ---- report --------------------------------------------------------------------------------------
ELAPSED=$(( $(date +%s) - START ))
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=no 2>/dev/null | grep -vc '^?? bench/' || true)
BENCH_PHOTOS=$PHOTOS BENCH_HEIC=$HEIC BENCH_VIDEOS=$VIDEOS BENCH_WORKERS=$WORKERS BENCH_API_CONNECTIONS=$API_C \
  python3 "$BENCH_LIB/renditions_report.py" "$M" "$BENCH" "$STAMP" "$COMMIT" "$DIRTY" "$ELAPSED"
