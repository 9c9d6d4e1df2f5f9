#!/bin/bash
# Roughly what the two design changes named for issue 17 could buy, measured before either is built: the fixed-rate
# scenario against the same jar in four configurations, one after the other (docs/benchmark.md, issue 17's ninth
# round):
#   as-is        README's settings (standalone/jvm.options, the jar's defaults), with this script's heap
#   no-file      H2 in memory (jdbc:h2:mem:): no database file, so no page writes, no group commit and no stalls (the
#                search index is still written); an append-only log would still write each message once, but would
#                also save some of the event store's SQL work that H2 in memory still does
#   two-fewer    the search projection and the notification processor off (a processor merging read models would
#                still do their work; the user projection's processor stays in all four)
#   both         no-file and two-fewer together
# These are experiments, not settings: with H2 in memory everything is lost when the server stops, and without the
# two processors there is no search and no push notification. The heap is 6 GiB for all four (an in-memory database
# grows with every message; the same heap keeps the runs comparable); with standalone/jvm.options' AlwaysPreTouch the
# server holds all of it from the start, so the machine needs about 7 GiB free.
#
# usage: bench/src/main/scripts/bounds.sh OUT_DIR [PROFILE=full] [RATES=2000,3000,4000,5000] [WARMUP_S=180] [RATE_S=30]
# Run from the repository root after `mvn -B -q -DskipTests package`, on a quiet machine: about 6-7 minutes per
# configuration. Prints each configuration's summary line per rate; the reports are in OUT_DIR/<configuration>/.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 OUT_DIR [PROFILE=full] [RATES=2000,3000,4000,5000] [WARMUP_S=180] [RATE_S=30]" >&2
  exit 2
fi
OUT=$1; PROFILE=${2:-full}; RATES=${3:-2000,3000,4000,5000}; WARM=${4:-180}; PER_RATE=${5:-30}
ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
# the embedded URL without the file (and so without the group commit, which only a jdbc:h2:file: or
# jdbc:h2:retry:file: URL turns on); one command lane, as the standalone default has with the group commit (with no
# deferred commit it would be four)
NO_FILE="--spring.datasource.url=jdbc:h2:mem:parley;DB_CLOSE_DELAY=-1;MAX_LENGTH_INPLACE_LOB=8192;QUERY_CACHE_SIZE=64"
NO_FILE="$NO_FILE --parley.axon.command-lanes=1"
TWO_FEWER="--parley.search.enabled=false --parley.notifications.processor-enabled=false"

run() {
  local name=$1 args=$2
  if [ -n "$args" ]; then echo "== $name $args"; else echo "== $name (the jar's own settings)"; fi
  # a configuration that fails (its server died, say) is reported, and the others still run
  if ! ( cd "$ROOT" && BENCH_SKIP_BUILD=1 BENCH_SCENARIOS=fixed BENCH_OUT="$OUT/$name" BENCH_SERVER_HEAP=6g \
      BENCH_SERVER_ARGS="$args" \
      BENCH_ARGS="--rates=$RATES --duration=$PER_RATE --jit-warmup=$WARM --jit-warmup-rate=300" \
      bench/run.sh "$PROFILE" > "$OUT/$name.log" 2>&1 ); then
    echo "   failed: see $OUT/$name.log"
  fi
  grep "=> fixed" "$OUT/$name.log" || echo "   no result: see $OUT/$name.log"
}

run as-is ""
run no-file "$NO_FILE"
run two-fewer "$TWO_FEWER"
run both "$NO_FILE $TWO_FEWER"
