#!/usr/bin/env bash
# Where the demo's CPU time goes: runs `bin/densenet demo ARGS... --follow`, reads every JVM thread's CPU time
# (jstack's cpu=) when the model is ready and frames start to flow, and again after the summary, and sums the
# difference by role (inference, decoding, Kafka broker, producer I/O, Flink, GC/JIT, the demo's own threads).
# Start-up (class loading, model load) is left out. One table, biggest first.
# Usage: job/bench/pipeline-threads.sh [demo options...]   e.g. --frames 5000 --batch-size 32
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
log=$(mktemp)
DENSENET_SKIP_BUILD=${DENSENET_SKIP_BUILD:-0} "$root/bin/densenet" demo "$@" --follow >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
await() {
  until grep -q -- "$1" "$log"; do
    kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.2
  done
}
before=$(mktemp); after=$(mktemp)
await "model ready; sending"
jstack "$pid" >"$before"
await "--follow: the job keeps running"
jstack "$pid" >"$after"
grep -E "images/s|accuracy|results" "$log" | head -5 || true
python3 - "$before" "$after" <<'PY'
import re, sys, collections
# First match wins: the task thread's name holds the operator names ("... densenet-inference ..."), and the
# producers' I/O threads start with "kafka-", so those two come before the inference and broker patterns.
roles = [("flink task thread (source, operator, sinks)", r"^(Source: |Sink: )"),
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
        if m: out[(m.group(1), m.group(3))] = float(m.group(2))
    return out
start, end = threads(sys.argv[1]), threads(sys.argv[2])
cpu = collections.Counter()
for (name, nid), ms in end.items():
    role = next((r for r, p in roles if re.search(p, name)), "other: " + re.sub(r"[-#0-9 ]+$", "", name)[:40])
    cpu[role] += ms - start.get((name, nid), 0.0)
total = sum(cpu.values())
print("| role | CPU s | share |\n|---|---|---|")
for role, ms in cpu.most_common(14):
    print(f"| {role} | {ms/1000:.1f} | {100*ms/total:.0f}% |")
print(f"| total (all threads) | {total/1000:.1f} | 100% |")
PY
rm -f "$before" "$after"
