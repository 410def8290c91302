#!/usr/bin/env bash
# Which slot layout suits this CPU: one model with every core's OpenMP threads (one subtask per task manager,
# `--parallelism 1` or a 1-partition topic), or one model per core with one thread each, running at once (a
# partition per core, the job's default layout then). Raw forwards only (`bin/densenet bench`, random input), the
# two layouts interleaved round by round; prints the medians and their ratio. The job cannot beat the layout's
# own figure: where "one per core" is the lower, a topic with a partition per core costs that much against the
# raw single-model rate (BENCHMARKS.md, issue 20).
# Usage: job/bench/slot-layout.sh MODEL_DIR [BATCH=8] [ROUNDS=3] [SECONDS=12]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model=${1:?usage: slot-layout.sh MODEL_DIR [BATCH] [ROUNDS] [SECONDS]}; batch=${2:-8}; rounds=${3:-3}; secs=${4:-12}
cores=$(nproc)
"$root/bin/densenet" info --variant densenet121 >/dev/null   # builds the project if needed
rate() { DENSENET_SKIP_BUILD=1 "$root/bin/densenet" bench --model "$model" --batch "$batch" --seconds "$secs" \
  --threads "$1" --json 2>/dev/null | python3 -c "import json,sys; print(json.loads(sys.stdin.readline())['images_per_second'])"; }
one=(); per_core=()
for r in $(seq 1 "$rounds"); do
  one+=("$(rate "$cores")")
  tmp=$(mktemp -d)
  for i in $(seq 1 "$cores"); do rate 1 >"$tmp/$i" & done
  wait
  per_core+=("$(cat "$tmp"/* | python3 -c "import sys; print(sum(float(x) for x in sys.stdin))")")
  rm -rf "$tmp"
  echo "round $r: one model x $cores threads ${one[-1]} img/s; $cores models x 1 thread ${per_core[-1]} img/s" >&2
done
python3 - "$cores" "$batch" "${one[*]}" "${per_core[*]}" <<'PY'
import statistics, sys
cores, batch = sys.argv[1], sys.argv[2]
one = statistics.median(float(x) for x in sys.argv[3].split())
per = statistics.median(float(x) for x in sys.argv[4].split())
print(f"| layout (batch {batch}) | images/s | vs one model |\n|---|---|---|")
print(f"| one model, {cores} OpenMP threads | {one:.1f} | 1.00x |")
print(f"| {cores} models at once, 1 thread each | {per:.1f} | {per / one:.2f}x |")
PY
