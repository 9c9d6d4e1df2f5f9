#!/usr/bin/env python3
"""Shares of a server's CPU samples by the library that spent them, from an async-profiler profile in collapsed form
taken with `threads` (issue 17, eighteenth stop: where Parley's CPU goes beside the pipeline bound's).

usage: cpu-by-library.py FILE.collapsed [MICROSECONDS_PER_MESSAGE]

A sample belongs to the first Java frame from the leaf up that is not the JDK's (java., javax., jdk., sun., com.sun.;
native code and the kernel are passed over too): JDK work done for a library is that library's, and work one library
does for another counts for the one nearest the leaf (H2 reading events for Axon's processors is H2's). Samples of
the collector's threads (and the VM thread's, safepoints included) are "GC", the compilers' "JIT", whatever their
frames. With the server's CPU per message (as the benchmark measured it), each share is also given in microseconds
per message.
"""
import re
import sys
from collections import Counter

LIBRARIES = [  # first match wins
    ("io.parley.", "Parley"),
    ("org.axonframework.", "Axon"),
    ("org.h2.", "H2"),
    ("reactor.netty.", "Netty and Reactor"), ("io.netty.", "Netty and Reactor"), ("reactor.", "Netty and Reactor"),
    ("org.springframework.", "Spring"),
    ("com.fasterxml.", "Jackson"),
    ("io.micrometer.", "Micrometer"),
    ("org.apache.lucene.", "Lucene"),
    ("com.zaxxer.", "HikariCP"),
    ("org.flywaydb.", "Flyway"),
]
JDK = ("java.", "javax.", "jdk.", "sun.", "com.sun.")


def owner(frames):
    for frame in reversed(frames):
        if "/" not in frame or frame.endswith("_[k]"):
            continue  # native code and the kernel: async-profiler writes Java classes with slashes
        name = frame.replace("/", ".")
        if name.startswith(JDK):
            continue
        for prefix, library in LIBRARIES:
            if name.startswith(prefix):
                return library
        return "other libraries"
    return "JDK and native only"


def main():
    counts = Counter()
    total = 0
    for line in open(sys.argv[1]):
        stack, _, n = line.rstrip().rpartition(" ")
        if not n.isdigit():
            continue
        n = int(n)
        frames = stack.split(";")
        thread = frames[0]
        if re.search(r"GC Thread|G1 |VM Thread|GC_", thread):
            library = "GC"
        elif re.search(r"C[12] CompilerThre", thread):
            library = "JIT"
        else:
            library = owner(frames[1:])
        counts[library] += n
        total += n
    per_message = float(sys.argv[2]) if len(sys.argv) > 2 else None
    print("| library | share | µs per message |" if per_message else "| library | share |")
    print("| --- | ---: | ---: |" if per_message else "| --- | ---: |")
    for library, n in counts.most_common():
        share = n / total
        cells = f"| {library} | {100 * share:.1f}% |"
        if per_message:
            cells += f" {share * per_message:.0f} |"
        print(cells)
    print(f"\n{total} samples")


if __name__ == "__main__":
    main()
