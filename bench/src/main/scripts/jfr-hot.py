#!/usr/bin/env python3
"""Summarises the CPU samples of a JFR recording (JDK 17 has no `jfr view hot-methods`).

usage: jfr-hot.py server.jfr [top]
Prints: samples per thread, hottest methods by self time (top frame), and by total time (anywhere on the stack,
counted once per sample), the latter restricted to the packages that tell the story.
"""
import collections
import re
import subprocess
import sys

path = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
out = subprocess.run(["jfr", "print", "--stack-depth", "96", "--events", "jdk.ExecutionSample", path],
                     capture_output=True, text=True, check=True).stdout
threads = collections.Counter()
self_time = collections.Counter()
total = collections.Counter()
samples = 0
for event in out.split("jdk.ExecutionSample {")[1:]:
    samples += 1
    m = re.search(r'sampledThread = "([^"]*)"', event)
    thread = re.sub(r"[-#]?\d+$", "", m.group(1)) if m else "?"
    threads[thread] += 1
    frames = [re.sub(r"\s+line:.*$", "", f.strip()) for f in
              event.split("stackTrace = [", 1)[-1].split("]", 1)[0].strip().splitlines() if f.strip()]
    frames = [f for f in frames if f and f != "..."]
    if frames:
        self_time[frames[0]] += 1
    for f in set(frames):
        total[f] += 1

def show(title, counter, n, keep=lambda f: True):
    print(f"\n== {title}")
    for f, c in [(f, c) for f, c in counter.most_common() if keep(f)][:n]:
        print(f"{100.0 * c / samples:6.1f}%  {f}")

print(f"{samples} CPU samples")
show("threads", threads, 15)
show("self (top frame)", self_time, top)
interesting = ("io.parley", "org.axonframework", "org.h2", "com.fasterxml", "reactor.netty", "io.netty",
               "org.springframework", "com.zaxxer")
show("total, project and framework methods", total, top, lambda f: f.startswith(interesting))
