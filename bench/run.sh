#!/usr/bin/env bash
# eucalypt's benchmarks, each figure set against a reference measured in the same run on the same
# machine (pgbench running the same SQL, bare Vert.x serving the same rows, Gumnut's own stack, a
# plain-SQL delete loop, dd), since on a shared, noisy machine only ratios mean something. One
# command, from a clean clone:
#
#   bench/run.sh                     # everything, and a row in bench/RESULTS.md
#   BENCH_PHASES=get bench/run.sh    # only the GETs (1 and 2), a few minutes: for iterating
#
# It builds the jar, starts the server on a fresh database (eucalypt_bench), seeds with SQL, and
# measures with wrk (1 thread) and pgbench, every HTTP contender after a warm-up of its own
# (BENCH_WARMUP s) at 32 connections:
#   1. GET /api/libraries/{id}, 32 and 256 connections, vs pgbench running LibrarySql.GET; at 32,
#      also vs its floors (bench/lib/Floor.java: bare Vert.x with its pooled client, and with its
#      pipelined client) and vs a peer on Gumnut's stack (bench/peer/app.py: FastAPI + asyncpg
#      under uvicorn, one worker per core)
#   2. GET /api/assets of a 1,000,000-asset library, pages of 20 and of 200, vs the pipelined
#      floor serving the same statements and JSON, and vs pgbench running those statements
#   3. trash + restore pairs vs pgbench running the same transactions (UPDATE + outbox);
#      trash/restore latency of a library of 1 asset vs one of 1,000,000
#   4. the drain emptying a 100,000-asset library (real files) with the default settings (given up to
#      BENCH_DRAIN_CAP s), and another with a short interval (BENCH_SHORT_INTERVAL) over a window of
#      BENCH_SHORT_WINDOW s under GET load; GET p99 during each vs idle; vs a reference loop of plain
#      SQL batches of the server's default size (config/eucalypt.json) deleting the same rows and
#      unlinking the same files
#   5. upload of 100 MiB files vs dd (conv=fsync) of the same bytes to the same disk; peak RSS
# and writes bench/results/<stamp>.json, a chart bench/results/<stamp>.png, and a row in
# bench/RESULTS.md. A run of only some phases writes bench/results/<stamp>-partial.json (not kept
# in git) and no row. Installs wrk, gnuplot, jq, python3-psycopg2, and the peer's FastAPI,
# asyncpg, uvicorn, uvloop and httptools, from Debian's packages when missing.
#
# Environment: BENCH_PHASES (which phases: any of get_library list_assets trash_restore drain
# upload, or get for the first two; all of them by default), BENCH_DURATION (seconds per point,
# default 10), BENCH_WARMUP (seconds of warm-up of each HTTP contender, 20), BENCH_ROUNDS (turns
# the server and the pipelined floor take on GET library for the goal's ratio, 5), BENCH_PORT (8095; the
# floors take +1, the peer +2), BENCH_DB (eucalypt_bench), BENCH_SHORT_INTERVAL (the drain
# interval of the short-interval runs, PT1S), BENCH_JFR=1 (record a JFR profile of each server
# into bench/results/<stamp>-<server>.jfr and summarise each phase into
# bench/results/<stamp>-profile.txt), BENCH_KEEP=1 (keep the scratch directory with logs and raw
# outputs), BENCH_NO_BUILD=1 (use target/eucalypt.jar as it is). Needs PostgreSQL on
# localhost:5432 reachable as the OS user.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=$ROOT/bench
export BENCH_LIB=$BENCH/lib
DUR=${BENCH_DURATION:-10}
WARM=${BENCH_WARMUP:-20}
ROUNDS=${BENCH_ROUNDS:-5}
ALL_PHASES="get_library list_assets trash_restore drain upload"
PHASES=" $(echo "${BENCH_PHASES:-$ALL_PHASES}" | tr ',' ' ' | sed 's/\bget\b/get_library list_assets/') "
for p in $PHASES; do
  [[ " $ALL_PHASES " == *" $p "* ]] || { echo "BENCH_PHASES: unknown phase $p (known: get $ALL_PHASES)" >&2; exit 2; }
done
phase() { [[ "$PHASES" == *" $1 "* ]]; }
PORT=${BENCH_PORT:-8095}
DB=${BENCH_DB:-eucalypt_bench}
SHORT=${BENCH_SHORT_INTERVAL:-PT1S}
DRAIN_CAP=${BENCH_DRAIN_CAP:-420}      # longest wait for the default drain to empty its library (s)
SHORT_WINDOW=${BENCH_SHORT_WINDOW:-30} # the short-interval drain is measured over this window, under GET load
PAIRS=512          # libraries the trash/restore pairs cycle through (> the 256 connections)
PAIR_BASE=1000     # library n (n >= PAIR_BASE) is a pair library
PY=/usr/bin/python3
START=$(date +%s)
STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
TMP=$(mktemp -d /tmp/eucalypt-bench.XXXXXX)
STORE=$TMP/store
M=$TMP/m
mkdir -p "$M" "$STORE" "$BENCH/results"
# Other work on the machine shows in the figures; the row says how busy it was before we began.
cut -d" " -f1 /proc/loadavg >"$M/load-start"
export PGHOST=localhost PGPORT=5432 PGOPTIONS="-c client_min_messages=warning"
DSN="host=localhost port=5432 dbname=$DB"
SERVER=
SERVER_NAME=
OTHER=   # a floor or the peer, while one runs

log() { printf '[%4ds] %s\n' $(( $(date +%s) - START )) "$*" >&2; }
fail() {
  echo "FAIL: $*" >&2
  for f in "$TMP"/server-*.log "$TMP"/floor-*.log "$TMP"/peer.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }; done
  exit 1
}
stop_server() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=; fi
}
stop_other() {
  if [ -n "$OTHER" ]; then kill "$OTHER" 2>/dev/null || true; wait "$OTHER" 2>/dev/null || true; OTHER=; fi
}
cleanup() {
  stop_server
  stop_other
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "${BENCH_KEEP:-}" = 1 ]; then echo "scratch kept in $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

# ---- tools -------------------------------------------------------------------------------------
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v gnuplot >/dev/null || need+=(gnuplot-nox)
command -v jq >/dev/null || need+=(jq)
command -v pgbench >/dev/null || need+=(postgresql-contrib)
[ -x $PY ] && $PY -c 'import psycopg2' 2>/dev/null || need+=(python3 python3-psycopg2)
# The peer, from Debian's packages: Gumnut's stack as a distribution ships it.
if phase get_library && ! $PY -c 'import fastapi, asyncpg, uvicorn, uvloop, httptools' 2>/dev/null; then
  need+=(python3-fastapi python3-asyncpg python3-uvicorn python3-uvloop python3-httptools)
fi
if [ ${#need[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  log "installing ${need[*]}"
  # Waits for another apt-get on the machine instead of failing on its lock.
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
fi

# ---- build -------------------------------------------------------------------------------------
if [ "${BENCH_NO_BUILD:-}" != 1 ]; then
  log "building the jar"
  mvn -q -B package -DskipTests
fi
# A copy of its own, so a rebuild in the checkout during the run changes nothing.
cp target/eucalypt.jar "$TMP/eucalypt.jar"

# ---- a fresh database, seeded with SQL -----------------------------------------------------------
# Every EUCALYPT_* setting at its default but these three.
for v in $(env | grep -o '^EUCALYPT_[A-Z_]*' || true); do unset "$v"; done
export EUCALYPT_DATABASE_URL="postgresql://localhost:5432/$DB" EUCALYPT_STORAGE_DIR="$STORE" EUCALYPT_HTTP_PORT=$PORT
psql -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
java -jar "$TMP/eucalypt.jar" migrate >/dev/null 2>"$TMP/migrate.log" || { cat "$TMP/migrate.log" >&2; fail "migrate"; }
KEY=$(java -jar "$TMP/eucalypt.jar" create-user --email bench@example.org 2>/dev/null | jq -r .api_key)
USER_UUID=$(psql -Atq -d "$DB" -c "SELECT id FROM users WHERE email = 'bench@example.org'")
[ -n "$KEY" ] && [ -n "$USER_UUID" ] || fail "create-user"
uuid() { printf '%032x' "$1" | sed -E 's/(.{8})(.{4})(.{4})(.{4})(.{12})/\1-\2-\3-\4-\5/'; }

# Only what the phases run need: the 1,000,000 assets for 2 and 3, the 300,000 with files for 4.
BIG_N=0; DRAIN_N=0
if phase list_assets || phase trash_restore; then BIG_N=1000000; fi
if phase drain; then DRAIN_N=100000; fi
log "seeding: 1 + $BIG_N + 3 x $DRAIN_N assets (with files), $PAIRS empty libraries"
psql -q -v ON_ERROR_STOP=1 -d "$DB" -v uid="$USER_UUID" -v pairs=$PAIRS -v pair_base=$PAIR_BASE \
  -v big_n=$BIG_N -v drain_n=$DRAIN_N >/dev/null <<'SQL'
-- Library n has the id lpad(to_hex(n), 32, '0'), so pgbench scripts can name it.
INSERT INTO libraries (id, user_id, name)
SELECT lpad(to_hex(n), 32, '0')::uuid, :'uid', name
  FROM (VALUES (1, 'small'), (2, 'big'), (3, 'drain-default'), (5, 'drain-loaded'), (6, 'drain-reference'),
               (7, 'upload')) v(n, name);
INSERT INTO libraries (id, user_id, name)
SELECT lpad(to_hex(n), 32, '0')::uuid, :'uid', 'pair-' || n FROM generate_series(:pair_base, :pair_base + :pairs - 1) n;
-- small: 1 asset. big: 1,000,000, with random ids as the server makes them (ordered ids would sit
-- together in the primary key, which the drain's batch query walks) and ordered checksums and
-- keys (quicker to insert; nothing reads them in order).
INSERT INTO assets (id, library_id, mime_type, original_file_name, local_datetime, checksum, checksum_sha1,
                    size_bytes, blob_key)
SELECT gen_random_uuid(), lpad(to_hex(l), 32, '0')::uuid,
       'image/jpeg', 'p' || g || '.jpg', timestamptz '2020-01-01' + g * interval '1 minute',
       decode(lpad(to_hex(g), 64, '0'), 'hex'), decode(lpad(to_hex(g), 40, '0'), 'hex'), 1000,
       'k' || l || '-' || lpad(to_hex(g), 24, '0')
  FROM (VALUES (1, 1), (2, :big_n)) v(l, n), generate_series(1, n) g;
-- The drain's libraries: 100,000 each, random ids and keys as the server makes them, 1-byte files.
INSERT INTO assets (id, library_id, mime_type, original_file_name, local_datetime, checksum, checksum_sha1,
                    size_bytes, blob_key)
SELECT gen_random_uuid(), lpad(to_hex(l), 32, '0')::uuid, 'image/jpeg', 'p' || g || '.jpg',
       timestamptz '2020-01-01' + g * interval '1 minute', sha256(int8send(g)), decode(lpad(to_hex(g), 40, '0'), 'hex'),
       1, gen_random_uuid()::text
  FROM unnest(ARRAY[3, 5, 6]) l, generate_series(1, :drain_n) g;
UPDATE libraries l SET asset_count = c.n, storage_used_bytes = c.b
  FROM (SELECT library_id, count(*) n, sum(size_bytes) b FROM assets GROUP BY 1) c WHERE c.library_id = l.id;
VACUUM ANALYZE;
SQL
FILES=$($PY "$BENCH_LIB/mkfiles.py" "$DSN" "$STORE" "$(uuid 3)" "$(uuid 5)" "$(uuid 6)")
[ "$FILES" = $((3 * DRAIN_N)) ] || fail "made $FILES files, expected $((3 * DRAIN_N))"

# ---- measuring helpers ---------------------------------------------------------------------------
start_server() { # $1 name, then VAR=value settings
  local name=$1; shift
  SERVER_NAME=$name
  local jfr=()
  [ "${BENCH_JFR:-}" = 1 ] && jfr=(-XX:StartFlightRecording=filename=$BENCH/results/$STAMP-$name.jfr,settings=profile,dumponexit=true)
  env "$@" java "${jfr[@]}" -jar "$TMP/eucalypt.jar" >"$TMP/server-$name.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do
    # --max-time: a request that reaches the port in its first moments can go unanswered (an NPE
    # in vertx-micrometer's requestBegin, socket metric still null), and curl would wait for good.
    curl -sf --max-time 2 "localhost:$PORT/api/server/ping" >/dev/null && return 0
    kill -0 "$SERVER" 2>/dev/null || fail "server $name did not start"
    sleep 0.1
  done
  fail "server $name did not answer"
}
peak_rss_mb() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER/status"; }
H="Authorization: Bearer $KEY"
wrkurl() { # name connections seconds url [lua script]; every contender gets the same request, key included
  WRK_OUT=$M/$1.json wrk -t1 -c"$2" -d"$3"s --timeout 10s -s "${5:-$BENCH_LIB/report.lua}" -H "$H" \
    "$4" >"$M/$1.txt" 2>&1 || fail "wrk $1: $(cat "$M/$1.txt")"
  log "  $1: $(jq -r '"\(.requests * 1e6 / .duration_us | floor) req/s  p50 \(.latency_us.p50/1000) ms  p99 \(.latency_us.p99/1000) ms  errors \(.errors | add)"' "$M/$1.json")"
}
wrkrun() { # name connections seconds path [lua script]: against the server
  wrkurl "$1" "$2" "$3" "http://localhost:$PORT$4" "${5:-}"
}
start_other() { # name url-to-wait-for command...: a floor or the peer, on its own port
  local name=$1 url=$2; shift 2
  "$@" >"$TMP/$name.log" 2>&1 &
  OTHER=$!
  for _ in $(seq 1 300); do
    curl -sf --max-time 2 -H "$H" "$url" >/dev/null && return 0
    kill -0 "$OTHER" 2>/dev/null || fail "$name did not start"
    sleep 0.1
  done
  fail "$name did not answer"
}
same_json() { # name server-url other-url: whether both answer the same JSON, and its size
  # Normalised for what must differ: the port in asset URLs, and signatures (each has its own key).
  local a b
  a=$(curl -sf -H "$H" "$2" | sed -E 's#localhost:[0-9]+/#localhost:PORT/#g; s/signature=[A-Za-z0-9_-]+/signature=S/g' | jq -cS .)
  b=$(curl -sf -H "$H" "$3" | sed -E 's#localhost:[0-9]+/#localhost:PORT/#g; s/signature=[A-Za-z0-9_-]+/signature=S/g' | jq -cS .)
  jq -n --arg a "$a" --arg b "$b" '{same: ($a == $b and $a != ""), server_bytes: ($a | length), other_bytes: ($b | length)}' >"$M/$1.json"
  [ "$a" = "$b" ] && [ -n "$a" ] || log "  WARNING: $1: the JSON differs from the server's ($(jq -c . "$M/$1.json"))"
}
pg_room() { # connections pgbench may open: PostgreSQL's limit less those in use, less a margin
  psql -Atq -d postgres -c "SELECT current_setting('max_connections')::int
    - current_setting('superuser_reserved_connections')::int - count(*) - 8 FROM pg_stat_activity"
}
pgb() { # name clients seconds script [-D var=value...]
  local name=$1 c=$2 d=$3 script=$4; shift 4
  local room; room=$(pg_room)
  [ "$c" -le "$room" ] || c=$room
  (cd "$TMP" && pgbench -n -M prepared -j1 -c"$c" -T"$d" -f "$BENCH_LIB/$script" -l --log-prefix="$TMP/pgb-$name" \
     -D uid="$USER_UUID" "$@" "$DB" >"$M/$name.pgb.txt" 2>&1) || fail "pgbench $name: $(tail -5 "$M/$name.pgb.txt")"
  $PY "$BENCH_LIB/pgbstats.py" "$M/$name.pgb.txt" "$TMP"/pgb-"$name".* >"$M/$name.json"
  rm -f "$TMP"/pgb-"$name".*
  log "  $name: $(jq -r '"\(.tps | floor) tx/s  p50 \(.latency_us.p50/1000) ms  p99 \(.latency_us.p99/1000) ms  clients \(.clients)  failed \(.failed)"' "$M/$name.json")"
}
mark() { # the start of a phase (or "end"), for the per-phase profiles
  echo "$1 $SERVER_NAME $(date +%H:%M:%S.%3N)" >>"$TMP/marks"
}
reset_pairs() {
  psql -q -d "$DB" -c "UPDATE libraries SET trashed_at = NULL, purge_after = NULL
                        WHERE name LIKE 'pair-%' AND trashed_at IS NOT NULL" >/dev/null
}

# ---- server A: every setting at its default ------------------------------------------------------
log "server A (default settings)"
start_server A
declare -A ID
while read -r name id; do ID[$name]=$id; done < <(curl -sf -H "$H" "localhost:$PORT/api/libraries?state=all" | jq -r '.[] | "\(.name) \(.id)"')
[ "${#ID[@]}" = $((6 + PAIRS)) ] || fail "expected $((6 + PAIRS)) libraries, got ${#ID[@]}"
for n in $(seq $PAIR_BASE $((PAIR_BASE + PAIRS - 1))); do echo "${ID[pair-$n]}"; done >"$TMP/pair_ids"
export PAIR_IDS=$TMP/pair_ids

POOL=$(jq -e .database_pool_size config/eucalypt.json) || fail "no database_pool_size in config/eucalypt.json"
CORES=$(nproc)
FLOOR_URL=http://localhost:$((PORT + 1))
PEER_URL=http://localhost:$((PORT + 2))
if phase get_library || phase list_assets; then
  mkdir -p "$TMP/floor"
  javac -cp "$TMP/eucalypt.jar" -d "$TMP/floor" "$BENCH_LIB/Floor.java" || fail "compiling Floor.java"
fi
floor() { # pooled|pipelined: bench/lib/Floor.java on port +1, serving the small and the big library
  start_other "floor-$1" "$FLOOR_URL/library" java -cp "$TMP/eucalypt.jar:$TMP/floor" Floor "$1" $((PORT + 1)) "$DB" \
    "$POOL" "$USER_UUID" "$(uuid 1)" "$(uuid 2)"
}
LIBRARY_PATH="/api/libraries/${ID[small]}"
assets_path() { echo "/api/assets?library_id=${ID[big]}&limit=$1"; }

# The JIT needs a while on 2 cores: the first 15 s at 32 connections run at half the speed of
# the next 15 (and with a p99 of a second, from compilation). So every HTTP contender (the server,
# each floor, the peer) gets BENCH_WARMUP s of the load it is measured on before its measured runs.
if phase get_library; then
  log "1. GET /api/libraries/{id}"
  wrkrun warmup-get_library 32 "$WARM" "$LIBRARY_PATH"
  mark get_library
  for c in 32 256; do
    wrkrun get_library-c$c-server $c "$DUR" "$LIBRARY_PATH"
    pgb get_library-c$c-reference $c "$DUR" get_library.sql -D lib="$(uuid 1)"
  done
  mark end
fi

if phase list_assets; then
  log "2. GET /api/assets?library_id=<1,000,000 assets>&limit=20 and 200"
  wrkrun warmup-list_assets-20 32 $((WARM / 2)) "$(assets_path 20)"
  wrkrun warmup-list_assets-200 32 $((WARM - WARM / 2)) "$(assets_path 200)"
  mark list_assets
  for n in 20 200; do
    wrkrun list_assets-$n-server 32 "$DUR" "$(assets_path $n)"
    # The library check, then the page of n + 1 rows (to know has_more), as the server runs them.
    pgb list_assets-$n-reference 32 "$DUR" list_assets.sql -D lib="$(uuid 2)" -D fetch=$((n + 1))
  done
  mark end
fi

# The floors: Vert.x and its PostgreSQL client alone (bench/lib/Floor.java), the same statements
# and JSON, nothing else; server A idles meanwhile. How far a floor is from pgbench is the stack's
# share of the distance, how far the server is from the floor is eucalypt's. The pooled floor uses
# the client eucalypt uses today; the pipelined one the client it could use, and is the floor of
# the GET assets pages too.
if phase get_library; then
  log "1b. GET library floor, pooled client (bench/lib/Floor.java pooled)"
  floor pooled
  same_json json-floor-pooled "http://localhost:$PORT$LIBRARY_PATH" "$FLOOR_URL/library"
  wrkurl warmup-floor-pooled 32 "$WARM" "$FLOOR_URL/library"
  wrkurl get_library-c32-floor-pooled 32 "$DUR" "$FLOOR_URL/library"
  stop_other
fi
if phase get_library || phase list_assets; then
  log "1c/2b. floor, pipelined client (bench/lib/Floor.java pipelined)"
  floor pipelined
  if phase get_library; then
    same_json json-floor-pipelined "http://localhost:$PORT$LIBRARY_PATH" "$FLOOR_URL/library"
    wrkurl warmup-floor-pipelined 32 "$WARM" "$FLOOR_URL/library"
    wrkurl get_library-c32-floor-pipelined 32 "$DUR" "$FLOOR_URL/library"
    # The goal's ratio: the server and this floor take turns, BENCH_ROUNDS times, and each round
    # compares two runs seconds apart. One run of each, minutes apart, measured the machine's drift
    # as much as the server: on this 2-core machine the floor alone ran 35.5k to 41.0k req/s from
    # one bench to the next while the server held 29k to 31k.
    for r in $(seq 1 "$ROUNDS"); do
      wrkrun get_library-c32-server-round$r 32 "$DUR" "$LIBRARY_PATH"
      wrkurl get_library-c32-floor-pipelined-round$r 32 "$DUR" "$FLOOR_URL/library"
    done
  fi
  if phase list_assets; then
    for n in 20 200; do
      same_json json-floor-assets-$n "http://localhost:$PORT$(assets_path $n)" "$FLOOR_URL/assets?limit=$n"
    done
    wrkurl warmup-floor-assets-20 32 $((WARM / 2)) "$FLOOR_URL/assets?limit=20"
    wrkurl warmup-floor-assets-200 32 $((WARM - WARM / 2)) "$FLOOR_URL/assets?limit=200"
    for n in 20 200; do
      wrkurl list_assets-$n-floor 32 "$DUR" "$FLOOR_URL/assets?limit=$n"
    done
  fi
  stop_other
fi

# The peer: Gumnut's own stack (bench/peer/app.py, FastAPI + asyncpg) serving the same row after
# the same key check, one uvicorn worker per core, eucalypt's pool size split among them.
if phase get_library; then
  log "1d. GET library peer: FastAPI + asyncpg under uvicorn, $CORES workers (bench/peer/app.py)"
  PEER_DATABASE=$DB PEER_POOL_SIZE=$(( POOL / CORES > 0 ? POOL / CORES : 1 )) \
    start_other peer "$PEER_URL$LIBRARY_PATH" $PY -m uvicorn app:app --app-dir "$BENCH/peer" --host 127.0.0.1 \
    --port $((PORT + 2)) --workers "$CORES" --loop uvloop --http httptools --no-access-log --log-level warning
  same_json json-peer "http://localhost:$PORT$LIBRARY_PATH" "$PEER_URL$LIBRARY_PATH"
  wrkurl warmup-peer 32 "$WARM" "$PEER_URL$LIBRARY_PATH"
  wrkurl get_library-c32-peer 32 "$DUR" "$PEER_URL$LIBRARY_PATH"
  stop_other
fi

if phase trash_restore; then
  log "3. trash + restore"
  reset_pairs; wrkrun warmup-pairs 32 5 / "$BENCH_LIB/pairs.lua"
  mark trash_restore
  reset_pairs; wrkrun pairs-c32-server 32 "$DUR" / "$BENCH_LIB/pairs.lua"
  reset_pairs; pgb pairs-c32-reference 32 "$DUR" pair.sql -D base=$PAIR_BASE
  reset_pairs
  $PY "$BENCH_LIB/trash_latency.py" "$PORT" "$KEY" "${ID[small]}" "${ID[big]}" >"$M/trash_latency.json" || fail "trash latency"
  log "  trash p50: 1 asset $(jq '.assets_1.trash.p50/1000' "$M/trash_latency.json") ms, 1M $(jq '.assets_1m.trash.p50/1000' "$M/trash_latency.json") ms; restore p50: $(jq '.assets_1.restore.p50/1000' "$M/trash_latency.json") vs $(jq '.assets_1m.restore.p50/1000' "$M/trash_latency.json") ms"
  mark end
fi

if phase drain; then
  log "4a. drain, default settings: idle GET, then GET while it empties 100,000 assets"
  wrkrun drain-default-idle-c32 32 "$DUR" "/api/libraries/${ID[small]}"
  mark drain_default
  $PY "$BENCH_LIB/drain_watch.py" "$PORT" "$KEY" "${ID[drain-default]}" 0.1 "$DRAIN_CAP" >"$M/drain-default.json" & WATCH=$!
  wrkrun drain-default-busy-c32 32 $((2 * DUR)) "/api/libraries/${ID[small]}"
  wait $WATCH || fail "drain watch (default)"
  log "  drain (default): $(jq -r '"\(.purged) of \(.assets) assets in \(.seconds | floor) s: \(.assets_per_s | floor)/s"' "$M/drain-default.json")"
  mark end
fi
echo "{\"peak_rss_mb\": $(peak_rss_mb)}" >"$M/rss-A.json"
stop_server

if phase drain; then
  log "4b. drain, interval $SHORT, under GET load; then the plain-SQL reference"
  start_server B EUCALYPT_DRAIN_INTERVAL="$SHORT"
  wrkrun warmup-B 32 "$WARM" "/api/libraries/${ID[small]}"
  wrkrun drain-short-idle-c32 32 "$DUR" "/api/libraries/${ID[small]}"
  mark drain_short
  $PY "$BENCH_LIB/drain_watch.py" "$PORT" "$KEY" "${ID[drain-loaded]}" 0.1 "$SHORT_WINDOW" >"$M/drain-loaded.json" & WATCH=$!
  wrkrun drain-short-busy-c32 32 "$SHORT_WINDOW" "/api/libraries/${ID[small]}"
  wait $WATCH || fail "drain watch (loaded)"
  mark end
  log "  drain (short, under load): $(jq -r '"\(.purged) of \(.assets) assets in \(.seconds | floor) s: \(.assets_per_s | floor)/s"' "$M/drain-loaded.json")"
  $PY "$BENCH_LIB/drain_reference.py" "$DSN" "$STORE" "$(uuid 6)" "$(jq .drain_batch_size config/eucalypt.json)" >"$M/drain-reference.json" || fail "drain reference"
  log "  reference: $(jq -r '"\(.assets) assets in \(.seconds) s: \(.assets_per_s | floor)/s"' "$M/drain-reference.json")"
  # Every asset row left in the drained libraries keeps its file, and no other file is left.
  LEFT=$(find "$STORE/blobs" -type f | wc -l)
  ROWS=$(psql -Atq -d "$DB" -c "SELECT count(*) FROM assets WHERE library_id IN ('$(uuid 3)', '$(uuid 5)', '$(uuid 6)')")
  echo "{\"files_left\": $LEFT, \"rows_left\": $ROWS}" >"$M/drain-files.json"
  stop_server
fi

if phase upload; then
  log "5. upload: 3 x 100 MiB vs dd conv=fsync"
  start_server C
  SIZE=$((100 * 1024 * 1024))
  # One untimed upload first, to warm up the JIT.
  head -c $SIZE /dev/urandom >"$TMP/up0.mp4"
  curl -s -o /dev/null -H "$H" -F asset_data=@"$TMP/up0.mp4" -F device_asset_id=bench-0 -F device_id=bench \
    -F file_created_at=2024-07-01T10:00:00Z -F file_modified_at=2024-07-01T10:00:00Z \
    "localhost:$PORT/api/assets?library_id=${ID[upload]}"
  rm -f "$TMP/up0.mp4"
  mark upload
  for i in 1 2 3; do
    head -c $SIZE /dev/urandom >"$TMP/up$i.mp4"
    DDS=$(LC_ALL=C dd if="$TMP/up$i.mp4" of="$STORE/dd-$i.bin" bs=1M conv=fsync 2>&1 | awk -F', ' '/copied/ {print $3+0}')
    rm -f "$STORE/dd-$i.bin"
    OUT=$(curl -s -o "$TMP/up$i.json" -w '%{http_code} %{time_total}' -H "$H" \
      -F asset_data=@"$TMP/up$i.mp4" -F device_asset_id=bench-$i -F device_id=bench \
      -F file_created_at=2024-07-01T10:00:00Z -F file_modified_at=2024-07-01T10:00:00Z \
      "localhost:$PORT/api/assets?library_id=${ID[upload]}")
    read -r STATUS SECS <<<"$OUT"
    echo "{\"bytes\": $SIZE, \"status\": $STATUS, \"seconds\": $SECS, \"dd_seconds\": $DDS}" >"$M/upload-$i.json"
    log "  upload $i: HTTP $STATUS, $(echo "$SIZE / $SECS / 1000000" | bc) MB/s; dd $(echo "$SIZE / $DDS / 1000000" | bc) MB/s"
    rm -f "$TMP/up$i.mp4"
  done
  mark end
  echo "{\"peak_rss_mb\": $(peak_rss_mb)}" >"$M/rss-C.json"
  stop_server
fi

if [ "${BENCH_JFR:-}" = 1 ]; then
  # One profile summary per phase, from the recording of the server that ran it.
  log "profiles: bench/results/$STAMP-profile.txt"
  PROFILE=$BENCH/results/$STAMP-profile.txt
  : >"$PROFILE"
  prev=
  while read -r phase server at; do
    if [ -n "$prev" ]; then
      read -r pphase pserver pat <<<"$prev"
      { echo "=== $pphase (server $pserver, $pat to $at)"; $PY "$BENCH_LIB/jfr_top.py" "$BENCH/results/$STAMP-$pserver.jfr" 25 "$pat" "$at"; echo; } >>"$PROFILE" 2>&1 || true
    fi
    if [ "$phase" = end ]; then prev=; else prev="$phase $server $at"; fi
  done <"$TMP/marks"
fi

# ---- report --------------------------------------------------------------------------------------
ELAPSED=$(( $(date +%s) - START ))
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=no 2>/dev/null | grep -vc '^?? bench/' || true)
BENCH_PHASES_RUN="$PHASES" BENCH_WARMUP_S=$WARM \
  $PY "$BENCH_LIB/report.py" "$M" "$BENCH" "$STAMP" "$COMMIT" "$DIRTY" "$ELAPSED" "$DUR" "$SHORT"
FULL=1; for p in $ALL_PHASES; do phase "$p" || FULL=; done
if [ -n "$FULL" ]; then
  log "done in ${ELAPSED}s: bench/results/$STAMP.json, bench/results/$STAMP.png, a row in bench/RESULTS.md"
else
  log "done in ${ELAPSED}s (phases:$PHASES): bench/results/$STAMP-partial.json, no row in bench/RESULTS.md"
fi
