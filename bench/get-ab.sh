#!/usr/bin/env bash
# A/B of GET /api/libraries/{id} between server jars: wrk at 32 connections, and the server
# process's CPU time per request (utime + stime over the run, from /proc), which is steadier
# than req/s on a shared, noisy machine. The jars take turns, ROUNDS times, on one scratch
# database; nothing else runs meanwhile. Logback settings can be varied per jar with JAVA_OPTS_<n>.
#
#   bench/get-ab.sh old.jar new.jar            # e.g. target/eucalypt.jar saved before a change
#   ROUNDS=5 JAVA_OPTS_2=-Dlogback.configurationFile=/tmp/other.xml bench/get-ab.sh a.jar a.jar
#
# Prints one line per run and the median CPU per request of each jar. Needs wrk, jq, psql.
set -euo pipefail
[ $# -ge 1 ] || { sed -n 2,10p "$0"; exit 2; }
ROUNDS=${ROUNDS:-3}
WARM=${WARM:-20}
SECONDS_PER_RUN=${BENCH_DURATION:-15}
PORT=${BENCH_PORT:-8096}
DB=${BENCH_DB:-eucalypt_get_ab}
TMP=$(mktemp -d)
export PGHOST=localhost PGPORT=5432 PGOPTIONS="-c client_min_messages=warning"
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

export EUCALYPT_DATABASE_URL="postgresql://localhost:5432/$DB" EUCALYPT_STORAGE_DIR="$TMP/store" EUCALYPT_HTTP_PORT=$PORT
psql -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
java -jar "$1" migrate >/dev/null 2>&1
KEY=$(java -jar "$1" create-user --email ab@example.org 2>/dev/null | jq -r .api_key)

declare -A CPU
for round in $(seq 1 "$ROUNDS"); do
  n=0
  for jar in "$@"; do
    n=$((n + 1))
    opts_var=JAVA_OPTS_$n
    # shellcheck disable=SC2086
    java ${!opts_var:-} -jar "$jar" >"$TMP/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 150); do curl -sf --max-time 2 "localhost:$PORT/api/server/ping" >/dev/null && break; sleep 0.2; done
    LIB=$(curl -sf -H "Authorization: Bearer $KEY" "localhost:$PORT/api/libraries" | jq -r '.[0].id // empty')
    [ -n "$LIB" ] || LIB=$(curl -sf -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
      -d '{"name":"ab"}' "localhost:$PORT/api/libraries" | jq -r .id)
    URL="http://localhost:$PORT/api/libraries/$LIB"
    wrk -t1 -c32 -d"${WARM}s" -H "Authorization: Bearer $KEY" "$URL" >/dev/null
    before=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
    out=$(wrk -t1 -c32 -d"${SECONDS_PER_RUN}s" -H "Authorization: Bearer $KEY" "$URL")
    after=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    ticks=$(getconf CLK_TCK)
    us=$(awk -v a="$after" -v b="$before" -v n="$requests" -v t="$ticks" 'BEGIN {printf "%.1f", (a - b) / t * 1e6 / n}')
    CPU[$n]="${CPU[$n]:-} $us"
    echo "round $round  jar $n ($jar): $rps req/s, $us µs CPU a request"
  done
done
n=0
for jar in "$@"; do
  n=$((n + 1))
  echo "jar $n ($jar): median $(tr ' ' '\n' <<<"${CPU[$n]}" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}') µs CPU a request over $ROUNDS runs"
done
