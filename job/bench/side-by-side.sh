#!/usr/bin/env bash
# Side-by-side throughput and peak RSS of this project's DenseNet-121 in fp32, int8 and bf16 and of ONNX Runtime
# in fp32 and int8 (static QDQ), interleaved in rounds so that a noisy host affects every contender alike; every
# contender runs in a fresh JVM per round. Prints one JSON line per measurement, the logit fidelity of each int8
# model against its own fp32 model, and median tables at the end.
# Usage: job/bench/side-by-side.sh [ROUNDS=3] [SECONDS=10] [BATCHES=1,8,32]
# Env: PRECISIONS (default "fp32 int8 bf16"), EAGER=1 adds the op-by-op engine mode.
# Needs ../shared/tools/peer-bench (the peers' harness) beside the clone. Our DenseNet-121 gets torchvision's own
# random initialisation (as the ONNX peer's export does), written by torchvision and imported, so that logit
# fidelities of the int8 models compare networks of the same kind.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds=${1:-3}; secs=${2:-10}; batches=${3:-1,8,32}
precisions=${PRECISIONS:-fp32 int8 bf16}
peer="$root/../shared/tools/peer-bench"
work=${PEER_BENCH_DIR:-/tmp/peer-bench}
models=$(mktemp -d)
out=$(mktemp)
trap 'rm -rf "$models" "$out"' EXIT
densenet() { DENSENET_SKIP_BUILD=1 "$root/bin/densenet" "$@"; }

echo "# CPU: $(lscpu | sed -n 's/^Model name: *//p'); flags: $(grep -m1 -o -w -E 'avx2|avx512_vnni|avx512_bf16|amx_int8|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')" >&2
# Prepare the peers once (torchvision, the ONNX exports fp32 and int8, the ONNX Runtime harness); their int8
# fidelity line (OrtCompare, on stderr) goes into the output.
PEER_INT8=1 PEER_BENCH_DIR="$work" bash "$peer/run.sh" densenet121 1 1 2>&1 >/dev/null | grep '^{' | tee -a "$out" >&2 || true
"$root/bin/densenet" info --variant densenet121 >/dev/null   # builds the project if needed
/usr/bin/python3 -c "import sys, numpy, torch, torchvision; torch.manual_seed(0)
numpy.savez(sys.argv[1], **{k: v.numpy() for k, v in torchvision.models.densenet121(weights=None).state_dict().items()
                            if 'num_batches' not in k})" "$models/torchvision-densenet121.npz"
densenet import --weights "$models/torchvision-densenet121.npz" --variant densenet121 --out "$models/fp32" >/dev/null
for p in $precisions; do
  case $p in
    int8) densenet quantize --model "$models/fp32" --random 32 --out "$models/int8" >/dev/null ;;
    bf16) densenet quantize --model "$models/fp32" --precision bf16 --out "$models/bf16" >/dev/null ;;
  esac
done
for p in $precisions; do
  [ "$p" = fp32 ] || densenet bench --model "$models/$p" --batch 8 --seconds 1 --fidelity 64 --json | grep '"fidelity"' | tee -a "$out" >&2
done

for r in $(seq 1 "$rounds"); do
  java -cp "$work/target/classes:$work/lib/*" peer.OrtBench "$work/densenet121.onnx" "$batches" "$secs" "$(nproc)" \
    | sed "s/^{/{\"round\":$r,/" | tee -a "$out"
  java -cp "$work/target/classes:$work/lib/*" peer.OrtBench "$work/densenet121-int8.onnx" "$batches" "$secs" "$(nproc)" \
    224 onnxruntime-1.23.2-int8 | sed "s/^{/{\"round\":$r,/" | tee -a "$out"
  for p in $precisions; do
    densenet bench --model "$models/$p" --batch "$batches" --seconds "$secs" --json | sed "s/^{/{\"round\":$r,/" | tee -a "$out"
  done
  if [ "${EAGER:-0}" = 1 ]; then
    densenet bench --model "$models/fp32" --engine-mode eager --batch "$batches" --seconds "$secs" --json \
      | sed "s/^{/{\"round\":$r,/" | tee -a "$out"
  fi
done

python3 - "$out" <<'PY'
import json, statistics, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
by, rss, isa = collections.defaultdict(list), collections.defaultdict(list), {}
for r in rows:
    if "fidelity" in r:
        f = r["fidelity"]
        print(f"fidelity densenet-flink {r['precision']} vs its fp32: max |diff| {f['max_abs_diff']:.4f}, mean |diff| "
              f"{f['mean_abs_diff']:.4f} (max |logit| {f['max_abs_reference']:.2f}), top-1 agreement {f['top1_agreement']:.3f}, "
              f"centred {f['centred_top1_agreement']:.3f}")
        continue
    if "reference" in r and "max_abs_diff" in r:
        print(f"fidelity onnxruntime int8 vs its fp32: max |diff| {r['max_abs_diff']:.4f}, mean |diff| {r['mean_abs_diff']:.4f} "
              f"(max |logit| {r['max_abs_reference']:.2f}), top-1 agreement {r['top1_agreement']:.3f}, centred {r['centred_top1_agreement']:.3f}")
        continue
    if "images_per_second" not in r:
        continue
    who = r.get("peer") or f"densenet-flink {r['precision']} {r['engine_mode']}"
    by[(who, r["batch"])].append(r["images_per_second"])
    if "peak_rss_mb" in r: rss[(who, r["batch"])].append(r["peak_rss_mb"])
    if "isa" in r: isa[who] = r["isa"]
batches = sorted({b for _, b in by})
ort = next(w for w, _ in by if w.startswith("onnxruntime") and not w.endswith("int8"))
ort8 = next((w for w, _ in by if w.endswith("int8") and w.startswith("onnxruntime")), None)
med = lambda who, b: statistics.median(by[(who, b)])
hdr = "| contender | ISA | " + " | ".join(f"b{b} img/s" for b in batches) + " | " + " | ".join(f"b{b} vs ORT fp32" for b in batches)
if ort8: hdr += " | " + " | ".join(f"b{b} vs ORT int8" for b in batches)
hdr += " | " + " | ".join(f"peak RSS b{b}" for b in batches) + " |"
print(f"\nmedians of {len(by[(ort, batches[0])])} rounds\n" + hdr)
print("|---" * (hdr.count("|") - 1) + "|")
for who in sorted({w for w, _ in by}):
    line = f"| {who} | {isa.get(who, '-')} | " + " | ".join(f"{med(who, b):.1f}" for b in batches)
    line += " | " + " | ".join(f"{med(who, b) / med(ort, b):.2f}x" for b in batches)
    if ort8: line += " | " + " | ".join(f"{med(who, b) / med(ort8, b):.2f}x" for b in batches)
    line += " | " + " | ".join(f"{int(statistics.median(rss[(who, b)]))} MB" if rss.get((who, b)) else "-" for b in batches) + " |"
    print(line)
PY
