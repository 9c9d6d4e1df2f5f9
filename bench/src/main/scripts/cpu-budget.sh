#!/bin/bash
# CPU budget of the server per message at one fixed rate (issue 17): runs the fixed-rate scenario with a long JIT
# warm-up, attaches async-profiler (CPU, 1 ms interval, per thread) to the server for PROFILE_S seconds of the measured
# run, and prints the microseconds of server CPU each stage costs per acknowledged message (cpu-budget.py): the
# server's CPU per message as the benchmark measured it, divided by the profile's shares.
#
# usage: [BENCH_PROFILE=full] bench/src/main/scripts/cpu-budget.sh OUT_DIR RATES [WARMUP_S=90] [PROFILE_S=30]
# BENCH_PROFILE is bench/run.sh's profile (quick by default: 100 users; full: 1,000 users in 500 conversations).
# RATES is one rate or a comma list stepped up to the profiled last one (a cold JIT at a high rate falls behind for
# good: 600/s from cold fell 35 s behind, while 300/s for 90 s, then 600/s, then 1,000/s kept up); the JIT warm-up
# runs at 300/s or the first rate, whichever is lower.
# async-profiler comes from Maven Central (tools.profiler:async-profiler:3.0, its linux-x64 library); run from the
# repository root after `mvn -B -q -DskipTests package`.
set -euo pipefail
OUT=$1; RATES=$2; WARM=${3:-90}; PROF=${4:-30}
RATE=${RATES##*,}; FIRST=${RATES%%,*}
ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
AP="$HOME/.m2/repository/tools/profiler/async-profiler/3.0/async-profiler-3.0.jar"
[ -f "$AP" ] || mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:3.0
LIB="$OUT/async-profiler"
mkdir -p "$LIB" && (cd "$LIB" && unzip -o -q "$AP" 'linux-x64/*')
LIB="$LIB/linux-x64/libasyncProfiler.so"
( cd "$ROOT" && BENCH_SKIP_BUILD=1 BENCH_SCENARIOS=fixed \
    BENCH_ARGS="--rates=$RATES --duration=$((PROF + 15)) --jit-warmup=$WARM --jit-warmup-rate=$((FIRST < 300 ? FIRST : 300))" \
    BENCH_OUT="$OUT" bench/run.sh "${BENCH_PROFILE:-quick}" > "$OUT/bench.log" 2>&1 ) &
BENCH=$!
until grep -q "\[fixed *$RATE/s\]" "$OUT/bench.log" 2>/dev/null || ! kill -0 $BENCH 2>/dev/null; do sleep 1; done
sleep 5
SERVER=$(pgrep -f "parley-bench-lib.*parley.jar" | head -1)
# jcmd parses key=value itself: the agent's options go in quotes
jcmd "$SERVER" JVMTI.agent_load "$LIB" "\"start,event=itimer,interval=1ms,threads\"" > "$OUT/profiler.txt"
FROM=$(grep -c "\[fixed *$RATE/s\]" "$OUT/bench.log")
sleep "$PROF"
jcmd "$SERVER" JVMTI.agent_load "$LIB" "\"stop,file=$OUT/server.collapsed,collapsed\"" >> "$OUT/profiler.txt"
TO=$(grep -c "\[fixed *$RATE/s\]" "$OUT/bench.log")
# the progress lines of the profiled seconds: their "acked" figures are the messages the profile served
grep "\[fixed *$RATE/s\]" "$OUT/bench.log" | sed -n "$((FROM + 1)),${TO}p" > "$OUT/profiled-seconds.txt"
wait $BENCH || true
# the server's CPU per acknowledged message over the profiled seconds, from the benchmark's own progress lines
PER_MESSAGE=$(awk '{ for (i = 1; i <= NF; i++) { if ($i == "acked") acked += $(i + 1); if ($i == "server") cpu += $(i + 1) } }
    END { printf "%.0f", (cpu / 100 * 1000000) / acked }' "$OUT/profiled-seconds.txt")
echo "profiled $PROF s ($(wc -l < "$OUT/profiled-seconds.txt") progress seconds): $PER_MESSAGE µs of server CPU per message"
python3 "$ROOT/bench/src/main/scripts/cpu-budget.py" "$OUT/server.collapsed" "$PER_MESSAGE" | tee "$OUT/cpu-budget.md"
