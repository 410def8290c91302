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
python3 "$root/job/bench/thread_roles.py" "$before" "$after"
rm -f "$before" "$after"
