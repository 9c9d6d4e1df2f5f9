#!/bin/bash
# usage: alloc-run.sh OUT RATE  -- full bench, attach async-profiler alloc mode for 25 s at RATE
set -u
OUT=$1; RATE=$2
cd /work/main
( BENCH_SKIP_BUILD=1 BENCH_SCENARIOS=fixed BENCH_ARGS="--rates=1000,2000,3000,5000 --duration=30 --jit-warmup=180" BENCH_OUT=$OUT BENCH_SERVER_JVM="-Xlog:gc*=info:file=$OUT/gc.log" bench/run.sh full > $OUT.log 2>&1 ) &
until grep -q "\[fixed *$RATE/s\]" $OUT.log 2>/dev/null; do sleep 1; done
sleep 3
SERVER=$(pgrep -f "parley-bench-lib.*parley.jar" | head -1)
LIB=/tmp/ap/linux-x64/libasyncProfiler.so
jcmd "$SERVER" JVMTI.agent_load "$LIB" "\"start,event=alloc,alloc=512k\"" > $OUT-profiler.txt
sleep 25
jcmd "$SERVER" JVMTI.agent_load "$LIB" "\"stop,file=$OUT-alloc.collapsed,collapsed,total\"" >> $OUT-profiler.txt
wait
