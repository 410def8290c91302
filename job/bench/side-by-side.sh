#!/usr/bin/env bash
# Side-by-side throughput of this project's DenseNet-121 (compiled and eager) and the peers, interleaved in
# rounds so that a noisy host affects every contender alike; prints one JSON line per measurement and a
# median table at the end.
# Usage: job/bench/side-by-side.sh [ROUNDS=3] [SECONDS=10] [BATCHES=1,8,32]
# Needs ../shared/tools/peer-bench (the peers' harness) beside the clone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds=${1:-3}; secs=${2:-10}; batches=${3:-1,8,32}
peer="$root/../shared/tools/peer-bench"
work=${PEER_BENCH_DIR:-/tmp/peer-bench}
out=$(mktemp)

# Prepare the peers once (installs torchvision, exports the ONNX model, builds the ONNX Runtime harness).
PEER_BENCH_DIR="$work" bash "$peer/run.sh" densenet121 1 1 >/dev/null
"$root/bin/densenet" info --variant densenet121 >/dev/null   # builds the project if needed

for r in $(seq 1 "$rounds"); do
  java -cp "$work/target/classes:$work/lib/*" peer.OrtBench "$work/densenet121.onnx" "$batches" "$secs" "$(nproc)" \
    | sed "s/^{/{\"round\":$r,/" | tee -a "$out"
  for mode in compiled eager; do
    DENSENET_SKIP_BUILD=1 "$root/bin/densenet" bench --variant densenet121 --batch "$batches" --seconds "$secs" \
      --json --engine-mode "$mode" | sed "s/^{/{\"round\":$r,/" | tee -a "$out"
  done
done

python3 - "$out" <<'PY'
import json, statistics, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
by = collections.defaultdict(list)
rss = collections.defaultdict(list)
for r in rows:
    who = r.get("peer") or "densenet-flink " + r["engine_mode"]
    by[(who, r["batch"])].append(r["images_per_second"])
    if "peak_rss_mb" in r: rss[(who, r["batch"])].append(r["peak_rss_mb"])
batches = sorted({b for _, b in by})
ort = [k for k in by if k[0].startswith("onnxruntime")][0][0]
print("\n| contender | " + " | ".join(f"b{b} img/s (median of {len(by[(ort,b)])})" for b in batches) + " | " +
      " | ".join(f"b{b} vs ORT" for b in batches) + " | peak RSS b" + str(batches[-1]) + " |")
print("|---" * (2 * len(batches) + 2) + "|")
for who in sorted({w for w, _ in by}):
    med = [statistics.median(by[(who, b)]) for b in batches]
    ratio = [m / statistics.median(by[(ort, b)]) for m, b in zip(med, batches)]
    r = rss.get((who, batches[-1]))
    print(f"| {who} | " + " | ".join(f"{m:.2f}" for m in med) + " | " + " | ".join(f"{x:.2f}x" for x in ratio) +
          f" | {str(int(statistics.median(r))) + ' MB' if r else '-'} |")
PY
rm -f "$out"
