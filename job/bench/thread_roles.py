#!/usr/bin/env python3
"""CPU time by thread role between two jstack dumps of one JVM (jstack prints each thread's cpu=...ms).
Usage: thread_roles.py BEFORE AFTER [--extra "ROLE=MS" ...] [--wall-ms MS] [--label TEXT]
--extra adds CPU milliseconds measured elsewhere (another process); --wall-ms adds each role's share of the
2 cores' capacity over that wall time. Prints one Markdown table, biggest first."""
import argparse, re, collections

# First match wins: the task thread's name holds the operator names ("... densenet-inference ..."), and the
# producers' I/O threads start with "kafka-", so those two come before the inference and broker patterns.
ROLES = [("flink task thread (source, operator, sinks)", r"^(Source: |Sink: )"),
         ("kafka producer i/o (job sinks, demo producer)", r"kafka-producer-network-thread"),
         ("inference", r"-inference"), ("decoding", r"-decode-"),
         ("job kafka source fetcher", r"(Source Data Fetcher|SourceCoordinator)"),
         ("kafka broker", r"^(data-plane|kafka-|controller|broker|raft|ExpirationReaper|LogDirFailure|group-coordinator|transaction|quorum|ReplicaFetcher|executor-|metrics-meter|share-|feature-|TxnMarker|TransactionMarker)"),
         ("gc", r"^(GC Thread|G1 )"), ("jit", r"^(C1 |C2 )"),
         ("flink runtime", r"(flink-|pekko|akka|Flink|jobmanager|taskmanager|MiniCluster|Checkpoint|AsyncOperations|mailbox)")]


def threads(path):
    out = {}
    for line in open(path):
        m = re.match(r"^\"(.+?)\".*cpu=([0-9.]+)ms.*nid=(\S+)", line)
        if m:
            out[(m.group(1), m.group(3))] = float(m.group(2))
    return out


def main():
    a = argparse.ArgumentParser()
    a.add_argument("before"); a.add_argument("after")
    a.add_argument("--extra", action="append", default=[]); a.add_argument("--wall-ms", type=float)
    a.add_argument("--label")
    args = a.parse_args()
    start, end = threads(args.before), threads(args.after)
    cpu = collections.Counter()
    for (name, nid), ms in end.items():
        role = next((r for r, p in ROLES if re.search(p, name)), "other: " + re.sub(r"[-#0-9 ]+$", "", name)[:40])
        cpu[role] += ms - start.get((name, nid), 0.0)
    for extra in args.extra:
        role, ms = extra.rsplit("=", 1)
        cpu[role] += float(ms)
    total = sum(cpu.values())
    if args.label:
        print(f"\nCPU time by thread role, {args.label}" + (f", {args.wall_ms / 1000:.1f} s of steady state" if args.wall_ms else "") + ":\n")
    capacity = f" | share of 2 cores" if args.wall_ms else ""
    print("| role | CPU s | share" + capacity + " |\n|---|---|---" + ("|---" if args.wall_ms else "") + "|")
    for role, ms in cpu.most_common(16):
        line = f"| {role} | {ms / 1000:.1f} | {100 * ms / total:.0f}%"
        if args.wall_ms:
            line += f" | {100 * ms / (2 * args.wall_ms):.0f}%"
        print(line + " |")
    print(f"| total | {total / 1000:.1f} | 100%" + (f" | {100 * total / (2 * args.wall_ms):.0f}%" if args.wall_ms else "") + " |")


if __name__ == "__main__":
    main()
