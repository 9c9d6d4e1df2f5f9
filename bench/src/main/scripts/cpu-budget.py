#!/usr/bin/env python3
"""The server's CPU per message by stage, from an async-profiler profile in collapsed form taken with `threads`.

usage: cpu-budget.py server.collapsed CPU_US_PER_MESSAGE
Prints a Markdown table: each stage's share of the profiled samples and its microseconds per message: that share of
the server's whole CPU per message as the benchmark measured it (process CPU time / acknowledged messages). The
profile gives the shares only: with the itimer event, samples undercount a busy multi-threaded process's CPU time. A stage is decided by the sampled thread, and on the command threads by the frames on the stack; see
STAGES below. Written for cpu-budget.sh; docs/benchmark.md ("CPU budget") explains the stages.
"""
import collections
import re
import sys


def stage(thread, stack):
    if thread.startswith(("C1 CompilerThre", "C2 CompilerThre", "Sweeper")):
        return "JIT compiler"
    if thread.startswith(("GC Thread", "G1 ", "VM Thread")):
        return "GC and VM"
    if thread.startswith("reactor-http"):
        return "socket: read, JSON, rate limits, frames out"
    if thread.startswith(("parley-backend", "parley-command-lane")):
        if "HashChainingStorageEngine.appendEvents" in stack:
            return "command: append (hash chain, serialize + encrypt, JDBC insert)"
        if re.search(r"HikariProxyConnection\.commit|GroupCommit|JdbcConnection\.commit", stack):
            return "command: commit, wait for the file write"
        if re.search(r"AggregateLifecycle|command/conversation/Conversation\.|Repository|AggregateCache|Snapshot", stack):
            return "command: aggregate (load, lock, decide, apply)"
        return "command: edge service, command bus, interceptors, ack"
    m = re.match(r"WorkPackage\[([^\]]+)\]", thread)
    if m:
        return "processor: " + m.group(1)
    if thread.startswith("Lucene"):
        return "processor: search-projection"
    if thread.startswith("parley-fanout"):
        return "fan-out: event stream to sockets"
    if thread.startswith(("H2-serialization", "H2-save", "MVStore", "h2-group-commit")):
        return "H2 file writes (group commit)"
    if thread.startswith("parley-snapshotter"):
        return "snapshots"
    if thread.startswith(("EmbeddedEventStore", "Coordinator")):
        return "event store reader, processor coordinators"
    return "other threads"


def main():
    path, per_message = sys.argv[1], float(sys.argv[2])
    stages = collections.Counter()
    total = 0
    for line in open(path):
        frames, _, count = line.rstrip().rpartition(" ")
        parts = frames.split(";")
        thread = re.sub(r"\s*tid=\d+", "", parts[0].strip("[]"))
        stages[stage(thread, ";".join(parts[1:]))] += int(count)
        total += int(count)
    us = lambda n: per_message * n / total
    print(f"{total:,} samples; {per_message:,.0f} µs of server CPU per message\n")
    print("| stage | share | µs per message |\n| --- | ---: | ---: |")
    for name, n in stages.most_common():
        print(f"| {name} | {100 * n / total:.1f}% | {us(n):,.0f} |")
    print(f"| **total** | 100% | **{us(total):,.0f}** |")


if __name__ == "__main__":
    main()
