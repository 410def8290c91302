#!/usr/bin/env bash
# Pipeline cost (issue 4): end-to-end images/s of `bin/densenet demo` (in-process broker, the job on a
# MiniCluster with exactly-once sinks, decoding, checkpoints) next to the raw model (`bin/densenet bench`) at
# the same batch size, alternating in rounds so a noisy host affects both alike. Prints one JSON line per
# measurement and a median table.
# Usage: job/bench/pipeline-cost.sh [ROUNDS=3]
# The Fashion-MNIST rows need the shipped model and, for more frames than the committed 1,000-image sample,
# the Debian package dataset-fashion-mnist.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds=${1:-3}
out=$(mktemp)
"$root/bin/densenet" info --variant densenet121 >/dev/null   # builds the project if needed
cli() { DENSENET_SKIP_BUILD=1 "$root/bin/densenet" "$@"; }

# name | bench arguments | demo arguments (same batch size)
cases=(
  "densenet121 b8|--variant densenet121 --batch 8 --seconds 12|--variant densenet121 --frames 96 --batch-size 8"
  "fashion-mnist b32|--model $root/models/fashion-mnist-densenet --batch 32 --seconds 12|--frames 5000 --batch-size 32"
)
for r in $(seq 1 "$rounds"); do
  for c in "${cases[@]}"; do
    IFS='|' read -r name bench demo <<<"$c"
    # shellcheck disable=SC2086
    raw=$(cli bench $bench --json | tail -n 1)
    # shellcheck disable=SC2086
    pipe=$(cli demo $demo --json-summary 2>/dev/null | tail -n 1)
    python3 - "$r" "$name" "$raw" "$pipe" <<'PY' | tee -a "$out"
import json, sys
r, name, raw, pipe = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
print(json.dumps({"round": int(r), "case": name, "raw_images_per_second": raw["images_per_second"],
                  "pipeline_images_per_second": pipe["images_per_second"], "results": pipe["results"],
                  "latency_ms_p50": pipe.get("latency_ms_p50"), "latency_ms_p99": pipe.get("latency_ms_p99")}))
PY
  done
done

python3 - "$out" <<'PY'
import json, statistics, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
by = collections.defaultdict(list)
for row in rows:
    by[row["case"]].append(row)
print("\n| case | raw model img/s (median of %d) | whole pipeline img/s | pipeline / raw |" % max(len(v) for v in by.values()))
print("|---|---|---|---|")
for case, rs in by.items():
    raw = statistics.median(r["raw_images_per_second"] for r in rs)
    pipe = statistics.median(r["pipeline_images_per_second"] for r in rs)
    print(f"| {case} | {raw:.1f} | {pipe:.1f} | {pipe / raw:.2f}x |")
PY
rm -f "$out"
