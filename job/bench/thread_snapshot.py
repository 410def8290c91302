#!/usr/bin/env python3
"""CPU time of every thread of a process, Java and native, from /proc/PID/task/*/stat (utime + stime), under the
kernel's 15-character thread name: native threads inherit theirs from the thread that made them (MXNet's OpenMP
workers carry their inference thread's "densenet-0-infe"), and jstack, which names Java threads in full, misses
them although they do most of the inference. thread_roles.py --jstack maps thread ids to full Java names.
Cheap enough to run every few seconds beside a benchmark (no jstack, no safepoint).
Usage: thread_snapshot.py PID OUT   (OUT: "#threads" then one "NAME<TAB>TID<TAB>CPU_MS" line per thread)"""
import os, sys

pid, out = sys.argv[1], sys.argv[2]
hz = os.sysconf("SC_CLK_TCK")
lines = ["#threads"]
for tid in os.listdir(f"/proc/{pid}/task"):
    try:
        stat = open(f"/proc/{pid}/task/{tid}/stat").read()
    except OSError:
        continue  # ended meanwhile
    comm = stat[stat.index("(") + 1:stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2:].split()
    lines.append(f"{comm}\t{tid}\t{(int(fields[11]) + int(fields[12])) * 1000 / hz:.0f}")
with open(out + ".tmp", "w") as f:
    f.write("\n".join(lines) + "\n")
os.replace(out + ".tmp", out)
