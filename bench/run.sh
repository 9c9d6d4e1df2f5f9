#!/usr/bin/env bash
# Runs the Parley benchmark against a freshly started standalone server and leaves report.md, report.json and PNG
# plots in bench/results/<timestamp>-<profile>/.
#
#   bench/run.sh [quick|full]
#
# quick: a smoke run of every scenario (a few minutes); full: the real figures (about 15-20 minutes).
# Environment (all optional):
#   BENCH_SCENARIOS   comma list of fixed,search,fanout,idle,rebuild,long,long-nocache,lag,message-search,
#                     search-index (default: all; message-search and search-index are the full-text search index,
#                     through the whole path and alone; search is the load generator's highest-rate search)
#   BENCH_ARGS        extra --name=value arguments for the load generator (e.g. "--rates=1000 --duration=30")
#   BENCH_JFR=1       record a JFR profile of the server (server.jfr in the results folder)
#   BENCH_SKIP_BUILD=1  use what is built: standalone/target/parley.jar for the server and, in process, the jars
#                     bench/target/classpath.txt names (the modules' target/ jars after a build of the whole
#                     project; after "mvn -pl bench package" alone, the local Maven repository's: install first)
#   BENCH_OUT         results folder (default bench/results/<timestamp>-<profile>)
#   BENCH_SERVER_HEAP server heap (default 2g, fixed: -Xms = -Xmx)
#   BENCH_SERVER_ARGS extra --name=value arguments for the server (to compare settings; the report lists them as
#                     server_args)
#   BENCH_SERVER_JVM  extra JVM options for the server (e.g. "-Xlog:gc:file=/tmp/gc.log")
#   BENCH_SERVER_MAIN a main class of the bench module to start as the server instead of Parley's jar, given
#                     --port and --data-dir (io.parley.bench.bound.PipelineBound with BENCH_SERVER_ARGS="--stage=full":
#                     the bound of docs/benchmark.md's eighteenth stop); with BENCH_SCENARIOS=fixed only, and alone in
#                     its BENCH_OUT (no second part: a report mixing a bound and Parley would mix their figures)
#   BENCH_SERVER_GC   the server's collector options instead of README's "@standalone/jvm.options" (the whole file:
#                     to change one of its flags, add it to BENCH_SERVER_JVM instead, the later flag wins)
#   BENCH_INPROCESS_ARGS extra --name=value arguments for the in-process benchmarks (e.g. "--events=200000
#                     --parley.axon.processor-batch-size=500", or for lag "--rates=500,1000 --load-seconds=30";
#                     lag runs at the fixed-rate runs' rates unless --rates here says otherwise; parley.*, axon.*,
#                     spring.* and logging.* names go to the application, e.g. --logging.level.io.parley=info, since
#                     it logs warnings only by default)
#   BENCH_INPROCESS_JVM extra JVM options for the in-process benchmarks (e.g. a JFR recording:
#                     "-XX:StartFlightRecording=filename=/tmp/rebuild.jfr,settings=profile")
#   BENCH_PART        name of the load generator's part (default socket): a second run into the same BENCH_OUT
#                     with another name adds its fixed-rate runs to the report and replaces its other scenarios
set -euo pipefail

PROFILE=${1:-quick}
case "$PROFILE" in quick|full) ;; *) echo "usage: $0 [quick|full]" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SCENARIOS=${BENCH_SCENARIOS:-fixed,search,fanout,idle,rebuild,long,long-nocache,lag,message-search,search-index}
PART=${BENCH_PART:-socket}
OUT=${BENCH_OUT:-$ROOT/bench/results/$(date -u +%Y%m%d-%H%M%S)-$PROFILE}
HEAP=${BENCH_SERVER_HEAP:-2g}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

has() { [[ ",$SCENARIOS," == *",$1,"* ]]; }
if [ -n "${BENCH_SERVER_MAIN:-}" ] && [ "$SCENARIOS" != fixed ]; then
  echo "BENCH_SERVER_MAIN starts a bound, which serves the fixed-rate runs only: set BENCH_SCENARIOS=fixed" >&2
  exit 2
fi
if [ -f "$OUT/environment.txt" ] && { [ -n "${BENCH_SERVER_MAIN:-}" ] || grep -q '^server_main=' "$OUT/environment.txt"; }; then
  echo "$OUT already holds a run, and a bound's figures (BENCH_SERVER_MAIN) must not share a report with another" \
    "part's: use another BENCH_OUT" >&2
  exit 2
fi

if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  echo "== building (mvn -q -B -DskipTests package)"
  mvn -q -B -DskipTests package
fi
# Private copies of the server jar and of the project's own jars: a build in this work tree (or an install into the
# local Maven repository) during the run must not swap classes under the running JVMs.
LIB=$(mktemp -d /tmp/parley-bench-lib.XXXXXX)
cp "$ROOT/standalone/target/parley.jar" "$LIB/parley.jar"
cp -r "$ROOT/bench/target/classes" "$LIB/bench-classes"
CP="$LIB/bench-classes"
IFS=: read -r -a ENTRIES < "$ROOT/bench/target/classpath.txt" || true
for entry in "${ENTRIES[@]}"; do
  case "$entry" in
    */io/parley/*|"$ROOT"/*) cp "$entry" "$LIB/$(basename "$entry")"; CP="$CP:$LIB/$(basename "$entry")" ;;
    *) CP="$CP:$entry" ;;
  esac
done
JAVA_GEN=(java -Xms1g -Xmx2g -XX:+UseG1GC -Djava.awt.headless=true -Daxoniq.update-checker.disabled=true -cp "$CP")

SERVER_PID=
DATA_DIRS=("$LIB")
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  for d in "${DATA_DIRS[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT

{
  echo "profile=$PROFILE"
  echo "scenarios=$SCENARIOS"
  # "+uncommitted" for any change to tracked files, staged or not, and for new files git does not ignore
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$( { git diff HEAD --quiet 2>/dev/null \
    && [ -z "$(git ls-files --others --exclude-standard 2>/dev/null)" ]; } || echo '+uncommitted')"
  echo "java=$(java -version 2>&1 | head -1)"
  echo "cores=$(nproc)"
  echo "memory=$(free -m | awk '/^Mem:/ {print $2" MB"}')"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "ulimit_n=$(ulimit -n)"
  echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
  # the CPU's and the memory's speed now (io.parley.bench.CpuCheck; lower is faster): compares runs made at other times
  echo "cpu_check_before=$("${JAVA_GEN[@]}" io.parley.bench.CpuCheck || echo failed)"
  # the standalone server's JVM options, the argument file's flags spelled out
  echo "server_jvm=${BENCH_SERVER_GC:-$(grep -v '^#' standalone/jvm.options | tr '\n' ' ')} -Xms$HEAP -Xmx$HEAP ${BENCH_SERVER_JVM:-}"
  # arguments that change the server's settings for a comparison (BENCH_SERVER_ARGS; none: the jar's defaults)
  echo "server_args=${BENCH_SERVER_ARGS:-none}"
  # a bound started instead of Parley (BENCH_SERVER_MAIN): the report then leaves Parley's targets out
  if [ -n "${BENCH_SERVER_MAIN:-}" ]; then echo "server_main=$BENCH_SERVER_MAIN"; fi
} >> "$OUT/environment-$PART.txt"
FIRST_PART=
[ -f "$OUT/environment.txt" ] || { cp "$OUT/environment-$PART.txt" "$OUT/environment.txt"; FIRST_PART=1; }

if has fixed || has search || has fanout || has idle; then
  DATA=$(mktemp -d /tmp/parley-bench-server.XXXXXX); DATA_DIRS+=("$DATA")
  JFR=()
  if [ "${BENCH_JFR:-}" = 1 ]; then
    JFR=("-XX:StartFlightRecording=settings=profile,filename=$OUT/server-$PART.jfr,dumponexit=true")
  fi
  # port 0: the server picks a free port (no clash with anybody's server on this machine); read it from its log
  echo "== starting ${BENCH_SERVER_MAIN:-the standalone server} (heap $HEAP, data in $DATA)"
  # bcrypt strength 4: the set-up registers thousands of users; password hashing is not what is measured.
  # Per-user connection limit raised: the idle scenario holds many sockets per user (per-user send limits stay).
  # The collector's options are README's (standalone/jvm.options: G1 with a 10 ms pause goal), the heap is fixed (after
  # the file, so that BENCH_SERVER_HEAP wins over the file's own).
  if [ -n "${BENCH_SERVER_MAIN:-}" ]; then # a bound instead of Parley (docs/benchmark.md, "eighteenth stop")
    SERVER=(-cp "$CP" "$BENCH_SERVER_MAIN" --port="${BENCH_PORT:-0}" --data-dir="$DATA")
  else
    SERVER=(-jar "$LIB/parley.jar" --server.port="${BENCH_PORT:-0}" --parley.data-dir="$DATA"
      --parley.auth.bcrypt-strength=4 --parley.limits.connections-per-user=100000)
  fi
  # shellcheck disable=SC2086
  java ${BENCH_SERVER_GC:-@standalone/jvm.options} -Xms"$HEAP" -Xmx"$HEAP" -XX:+UnlockDiagnosticVMOptions -Daxoniq.update-checker.disabled=true "${JFR[@]}" ${BENCH_SERVER_JVM:-} \
    "${SERVER[@]}" ${BENCH_SERVER_ARGS:-} > "$OUT/server-$PART.log" 2>&1 &
  SERVER_PID=$!
  PORT=
  for i in $(seq 1 180); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "the server died; see $OUT/server-$PART.log" >&2; exit 1; fi
    if grep -q -E "Started (ParleyApplication|PipelineBound)" "$OUT/server-$PART.log"; then
      PORT=$(grep -o -m1 "Netty started on port [0-9]*" "$OUT/server-$PART.log" | grep -o "[0-9]*$")
      break
    fi
    sleep 1
  done
  if [ -z "$PORT" ]; then echo "the server did not start within 180 s; see $OUT/server-$PART.log" >&2; exit 1; fi
  echo "   server up (pid $SERVER_PID, port $PORT)"
  LOAD=()
  for s in fixed search fanout idle; do has "$s" && LOAD+=("$s"); done
  LOAD_LIST=$(IFS=,; echo "${LOAD[*]}")
  # shellcheck disable=SC2086
  "${JAVA_GEN[@]}" io.parley.bench.Bench --url="http://127.0.0.1:$PORT" --server-pid="$SERVER_PID" \
    --out="$OUT" --profile="$PROFILE" --scenarios="$LOAD_LIST" --part-name="$PART" ${BENCH_ARGS:-}
  echo "== stopping the server"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
  { grep -c -E ' (WARN|ERROR) ' "$OUT/server-$PART.log" || true; } | xargs -I{} echo "   server log: {} WARN/ERROR lines ($OUT/server-$PART.log)"
fi

inprocess() {
  local d; d=$(mktemp -d /tmp/parley-bench-inprocess.XXXXXX); DATA_DIRS+=("$d")
  # shellcheck disable=SC2086
  "${JAVA_GEN[@]}" ${BENCH_INPROCESS_JVM:-} io.parley.bench.inprocess.InProcessBench --profile="$PROFILE" --out="$OUT" --data-dir="$d" "$@" \
    ${BENCH_INPROCESS_ARGS:-}
  rm -rf "$d"
}
if has rebuild; then inprocess --scenario=rebuild; fi
if has long; then inprocess --scenario=long --cache=on; fi
if has long-nocache; then inprocess --scenario=long --cache=off; fi
if has lag; then
  # the lag at the fixed-rate runs' rates: the profile's (the default of both) or those BENCH_ARGS gave the generator
  LAG_RATES=$(grep -o -e '--rates=[0-9,_]*' <<< "${BENCH_ARGS:-}" | tail -1 || true)
  # shellcheck disable=SC2086
  inprocess --scenario=lag $LAG_RATES
fi
if has message-search; then inprocess --scenario=message-search; fi
if has search-index; then
  d=$(mktemp -d /tmp/parley-bench-search-index.XXXXXX); DATA_DIRS+=("$d")
  "${JAVA_GEN[@]}" io.parley.bench.inprocess.SearchIndexBench --out="$OUT" --data-dir="$d" \
    --events="$([ "$PROFILE" = full ] && echo 1000000 || echo 100000)"
  rm -rf "$d"
fi

# the CPU's speed again, with nothing of the benchmark running: a host that slowed down during the run shows here
CPU_AFTER=$("${JAVA_GEN[@]}" io.parley.bench.CpuCheck || echo failed)
echo "cpu_check_after=$CPU_AFTER" >> "$OUT/environment-$PART.txt"
if [ -n "$FIRST_PART" ]; then
  echo "cpu_check_after=$CPU_AFTER" >> "$OUT/environment.txt"
else # the report reads environment.txt: a later part's checks go there under its name
  sed -n "s/^cpu_check_before=/cpu_check_before_$PART=/p" "$OUT/environment-$PART.txt" | tail -1 >> "$OUT/environment.txt"
  echo "cpu_check_after_$PART=$CPU_AFTER" >> "$OUT/environment.txt"
fi

echo "== writing the report"
"${JAVA_GEN[@]}" io.parley.bench.report.ReportMain --out="$OUT"
echo
echo "Report: $OUT/report.md  (figures: $OUT/report.json, plots: $OUT/*.png)"
