#!/usr/bin/env python3
"""CPU time by thread role between two snapshots of one process: thread_snapshot.py's (every thread, native ones
included) or jstack dumps (Java threads only: jstack prints each thread's cpu=...ms).
Usage: thread_roles.py BEFORE AFTER [--extra "ROLE=MS" ...] [--wall-ms MS] [--label TEXT] [--jstack DUMP]
--extra adds CPU milliseconds measured elsewhere (another process); --wall-ms adds each role's share of the
the machine's cores' capacity over that wall time. Prints one Markdown table, biggest first."""
import argparse, collections, os, re

CORES = os.cpu_count()

# First match wins: the task thread's name holds the operator names ("... densenet-inference ..."), and the
# producers' I/O threads start with "kafka-", so those two come before the inference and broker patterns.
ROLES = [("flink task thread (kafka source records, operator, result serialisation, results sink writer)", r"^(Source: |Sink: )"),
         ("flink task thread (dead-letter sink writer)", r"^kafka-dead-letters"),
         ("kafka producer i/o (sinks' sends and transactions; demo producer)", r"kafka-producer-network-thread"),
         ("inference (forward, OpenMP workers)", r"(-inference|^densenet-\d+-infe)"),
         ("decoding and preprocessing", r"(-decode-|^densenet-\d+-deco)"),
         ("kafka source fetcher", r"(Source Data Fetcher|SourceCoordinator|kafka-coordinator)"),
         ("kafka broker", r"^(data-plane|kafka-|controller|broker|raft|ExpirationReaper|LogDirFailure|group-coordinator|transaction|quorum|ReplicaFetcher|executor-|metrics-meter|share-|feature-|TxnMarker|TransactionMarker)"),
         ("checkpoints (async snapshots, acknowledgements)", r"(Checkpoint|AsyncOperations|jobmanager-io)"),
         ("gc", r"^(GC Thread|G1 )"), ("jit", r"^(C1 |C2 )"),
         ("flink runtime", r"(flink-|pekko|akka|Flink|jobmanager|taskmanager|MiniCluster|mailbox)")]


def java_names(path):
    """Thread id -> full Java thread name, from a jstack dump (nid is the id in hex)."""
    names = {}
    for m in re.finditer(r'^"(.+?)".*nid=(0x[0-9a-f]+|\d+)', open(path).read(), re.M):
        nid = m.group(2)
        names[str(int(nid, 16) if nid.startswith("0x") else int(nid))] = m.group(1)
    return names


def threads(path, names=None):
    out = {}
    lines = open(path).read().splitlines()
    if lines and lines[0] == "#threads":
        for line in lines[1:]:
            name, tid, ms = line.rsplit("\t", 2)
            out[((names or {}).get(tid, name), tid)] = float(ms)
        return out
    for line in lines:
        m = re.match(r"^\"(.+?)\".*cpu=([0-9.]+)ms.*nid=(\S+)", line)
        if m:
            out[(m.group(1), m.group(3))] = float(m.group(2))
    return out


def main():
    a = argparse.ArgumentParser()
    a.add_argument("before"); a.add_argument("after")
    a.add_argument("--extra", action="append", default=[]); a.add_argument("--wall-ms", type=float)
    a.add_argument("--label"); a.add_argument("--jstack", help="a jstack dump naming the Java threads in full")
    args = a.parse_args()
    names = java_names(args.jstack) if args.jstack else None
    start, end = threads(args.before, names), threads(args.after, names)
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
    capacity = f" | share of {CORES} cores" if args.wall_ms else ""
    print("| role | CPU s | share" + capacity + " |\n|---|---|---" + ("|---" if args.wall_ms else "") + "|")
    for role, ms in cpu.most_common(16):
        if ms < 0.005 * total:
            continue  # under half a percent: noise
        line = f"| {role} | {ms / 1000:.1f} | {100 * ms / total:.0f}%"
        if args.wall_ms:
            line += f" | {100 * ms / (CORES * args.wall_ms):.0f}%"
        print(line + " |")
    print(f"| total | {total / 1000:.1f} | 100%" + (f" | {100 * total / (CORES * args.wall_ms):.0f}%" if args.wall_ms else "") + " |")


if __name__ == "__main__":
    main()
