#!/usr/bin/env bash
# Steady-state pipeline benchmark (issue 13): the job as users run it, drained from a pre-filled topic, next to the
# raw model at the same batch size and threads.
#   - `bin/densenet broker` in its own process (sharing the machine's cores, as it would on a small host);
#   - each case's input topic filled once beforehand (DenseNet-121: synthetic photo-like 224x224 JPEGs of ~12 KB;
#     Fashion-MNIST: the 28x28 PNGs `produce --fashion-mnist` writes);
#   - per round and case: `bin/densenet bench` (raw model), then `bin/densenet run` draining the topic from the
#     start in exactly-once and in at-least-once mode (checkpoints every 2 s), read by a read_committed
#     consumer; throughput over the steady part only: results between the 20th and the 80th percentile of their
#     processed_time;
#   - CPU time by thread role of the job JVM (jstack at 20% and 80% of the results) plus the broker's and the
#     consumer's process CPU, for the first round of each case;
#   - then end-to-end latency (result visible to the read_committed consumer minus the frame's event time) at an
#     offered rate of 70% of the measured steady-state maximum, exactly-once and at-least-once, checkpoints every
#     1 s and every 10 s.
# Usage: job/bench/steady-state.sh [ROUNDS=3]
# Env: CASES (default "densenet121:8 densenet121:32 fashion-mnist:32"), FRAMES_DN121 (default 1200),
#      FRAMES_FM (default 30000), LATENCY_SECONDS (default 40), LATENCY_CASES (default "densenet121:8 fashion-mnist:32"),
#      JOB_ARGS (more `run` options for every drain, e.g. "--parallelism 1 --inference-threads 2"), LATENCY=0 (skip
#      the latency part).
# Needs ../shared/fixtures/parity/densenet121.safetensors (DenseNet-121 weights) and, for Fashion-MNIST, the Debian
# package dataset-fashion-mnist.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds=${1:-3}
cases=${CASES:-densenet121:8 densenet121:32 fashion-mnist:32}
latency_cases=${LATENCY_CASES:-densenet121:8 fashion-mnist:32}
frames_dn=${FRAMES_DN121:-1200}; frames_fm=${FRAMES_FM:-30000}; latency_secs=${LATENCY_SECONDS:-40}
work=$(mktemp -d); out="$work/rows.jsonl"
cli() { DENSENET_SKIP_BUILD=1 "$root/bin/densenet" "$@"; }
pids=()
# A background `cli ...` is a subshell whose descendant is the JVM (bin/densenet execs java): stop the whole tree.
kill_tree() { local c; for c in $(pgrep -P "$1"); do kill_tree "$c"; done; kill "$1" 2>/dev/null || true; }
cleanup() { for p in "${pids[@]}"; do kill_tree "$p"; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "# CPU: $(lscpu | sed -n 's/^Model name: *//p'); flags: $(grep -m1 -o -w -E 'avx2|avx512_vnni|avx512_bf16|amx_int8' /proc/cpuinfo | sort -u | tr '\n' ' ')" >&2
"$root/bin/densenet" info --variant densenet121 >/dev/null   # builds the project if needed
cli import --weights "$root/../shared/fixtures/parity/densenet121.safetensors" --variant densenet121 \
  --out "$work/densenet121" >/dev/null
model_of() { case $1 in densenet121) echo "$work/densenet121" ;; fashion-mnist) echo "$root/models/fashion-mnist-densenet" ;; esac; }
frames_of() { case $1 in densenet121) echo "$frames_dn" ;; fashion-mnist) echo "$frames_fm" ;; esac; }

# One broker for everything, its topics created up front.
topics="latency-in-densenet121,latency-in-fashion-mnist"
for c in $cases $latency_cases; do
  name=${c%%:*}; topics="$topics,in-$name"
  for r in $(seq 1 "$rounds"); do topics="$topics,out-$name-${c##*:}-eo-$r,out-$name-${c##*:}-alo-$r"; done
done
for c in $latency_cases; do for m in eo alo; do for ck in 1 10; do topics="$topics,lat-${c%%:*}-$m-$ck,latdlq-${c%%:*}-$m-$ck"; done; done; done
topics="$topics,dlq"
topics=$(echo "$topics" | tr ',' '\n' | sort -u | paste -sd, -)
cli broker --port 0 --partitions "$(nproc)" --topics "$topics" >"$work/broker.out" 2>"$work/broker.err" &
broker_pid=$!; pids+=("$broker_pid")
until grep -q '^bootstrap.servers=' "$work/broker.out"; do sleep 0.5; kill -0 $broker_pid || { cat "$work/broker.err"; exit 1; }; done
bootstrap=$(sed -n 's/^bootstrap.servers=//p' "$work/broker.out")
echo "# broker $bootstrap (pid $broker_pid)" >&2

for name in $(for c in $cases; do echo "${c%%:*}"; done | sort -u); do
  case $name in
    densenet121) cli produce --bootstrap-servers "$bootstrap" --topic "in-$name" --synthetic "$frames_dn" >&2 ;;
    fashion-mnist) cli produce --bootstrap-servers "$bootstrap" --topic "in-$name" --fashion-mnist /usr/share/datasets/fashion-mnist \
                     --split train --limit "$frames_fm" >&2 ;;
  esac
done

proc_cpu_ms() { awk '{print ($14 + $15) * 10}' "/proc/$1/stat"; }   # utime + stime, 100 Hz ticks
# The JVM under a background `cli ...`.
java_pid_of() { local p=$1 c; while c=$(pgrep -P "$p" | head -1) && [ -n "$c" ]; do p=$c; done; echo "$p"; }

# drain CASE_NAME BATCH MODE ROUND PROFILE: run the job over the whole input topic, print one JSON row.
drain() {
  local name=$1 batch=$2 mode=$3 round=$4 profile=$5
  local n; n=$(frames_of "$name")
  local topic="out-$name-$batch-$mode-$round" delivery=exactly-once
  [ "$mode" = alo ] && delivery=at-least-once
  cli consume --bootstrap-servers "$bootstrap" --topic "$topic" --limit "$n" --idle-timeout 300s --json \
    >"$work/consumed.jsonl" 2>/dev/null &
  local consumer=$!; pids+=("$consumer")
  cli run --bootstrap-servers "$bootstrap" --input-topic "in-$name" --output-topic "$topic" --dlq-topic dlq \
    --model "$(model_of "$name")" --batch-size "$batch" --checkpoint-interval 2s --delivery "$delivery" \
    --job-name "ss-$name-$batch-$mode-$round" --group-id "ss-$name-$batch-$mode-$round" --starting-offsets earliest \
    ${JOB_ARGS:-} >"$work/run.log" 2>&1 &
  local job=$!; pids+=("$job")
  if [ "$profile" = 1 ]; then
    until [ "$(wc -l <"$work/consumed.jsonl")" -ge $((n / 5)) ]; do sleep 0.2; done
    local jvm broker_jvm consumer_jvm; jvm=$(java_pid_of "$job"); broker_jvm=$(java_pid_of "$broker_pid")
    consumer_jvm=$(java_pid_of "$consumer")
    jstack "$jvm" >"$work/jstack-a.txt"; local b0 c0; b0=$(proc_cpu_ms "$broker_jvm"); c0=$(proc_cpu_ms "$consumer_jvm"); local t0; t0=$(date +%s%N)
    until [ "$(wc -l <"$work/consumed.jsonl")" -ge $((n * 4 / 5)) ]; do sleep 0.2; done
    jstack "$jvm" >"$work/jstack-b.txt"; local b1 c1; b1=$(proc_cpu_ms "$broker_jvm"); c1=$(proc_cpu_ms "$consumer_jvm"); local t1; t1=$(date +%s%N)
    python3 "$root/job/bench/thread_roles.py" "$work/jstack-a.txt" "$work/jstack-b.txt" \
      --extra "kafka broker process=$((b1 - b0))" --extra "read_committed consumer process=$((c1 - c0))" \
      --wall-ms $(((t1 - t0) / 1000000)) --label "$name b$batch $mode" >>"$work/threads.md"
  fi
  wait "$consumer" || true
  kill_tree "$job"; wait "$job" 2>/dev/null || true
  python3 - "$work/consumed.jsonl" "$name" "$batch" "$mode" "$round" <<'PY' | tee -a "$out"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
t = sorted(r["value"]["processed_time"] for r in rows if r.get("kind") == "result")
lo, hi = t[int(0.2 * (len(t) - 1))], t[int(0.8 * (len(t) - 1))]
steady = sum(1 for x in t if lo <= x <= hi)
print(json.dumps({"round": int(sys.argv[5]), "case": f"{sys.argv[2]} b{sys.argv[3]}", "mode": sys.argv[4],
                  "results": len(t), "steady_images_per_second": round(steady / max(1e-3, (hi - lo) / 1000), 2)}))
PY
}

for r in $(seq 1 "$rounds"); do
  for c in $cases; do
    name=${c%%:*}; batch=${c##*:}
    cli bench --model "$(model_of "$name")" --batch "$batch" --seconds 12 --json \
      | python3 -c "import json,sys; r=json.loads(sys.stdin.readline()); print(json.dumps({'round': $r, 'case': '$name b$batch', 'mode': 'raw', 'steady_images_per_second': r['images_per_second']}))" \
      | tee -a "$out"
    drain "$name" "$batch" eo "$r" "$([ "$r" = 1 ] && echo 1 || echo 0)"
    drain "$name" "$batch" alo "$r" 0
  done
done

# latency at 70% of the measured exactly-once maximum
[ "${LATENCY:-1}" = 0 ] && latency_cases=""
for c in $latency_cases; do
  name=${c%%:*}; batch=${c##*:}
  max=$(python3 -c "
import json, statistics
rows = [json.loads(l) for l in open('$out') if l.startswith('{')]
print(statistics.median(r['steady_images_per_second'] for r in rows if r['case'] == '$name b$batch' and r['mode'] == 'eo'))")
  rate=$(python3 -c "print(round(0.7 * $max, 1))")
  for m in eo alo; do
    for ck in 1 10; do
      delivery=exactly-once; [ "$m" = alo ] && delivery=at-least-once
      topic="lat-$name-$m-$ck"
      cli run --bootstrap-servers "$bootstrap" --input-topic "latency-in-$name" --output-topic "$topic" \
        --dlq-topic "latdlq-$name-$m-$ck" --model "$(model_of "$name")" --batch-size "$batch" \
        --checkpoint-interval "${ck}s" --delivery "$delivery" --job-name "lat-$name-$m-$ck" --group-id "lat-$name-$m-$ck" \
        --starting-offsets latest ${JOB_ARGS:-} >"$work/run.log" 2>&1 &
      job=$!; pids+=("$job")
      sleep 25   # the job is up and its source assigned before frames flow
      n=$(python3 -c "print(int($rate * $latency_secs))")
      cli consume --bootstrap-servers "$bootstrap" --topic "$topic" --limit "$n" --idle-timeout 60s --json \
        >"$work/lat.jsonl" 2>/dev/null &
      consumer=$!; pids+=("$consumer")
      case $name in
        densenet121) cli produce --bootstrap-servers "$bootstrap" --topic "latency-in-$name" --synthetic "$n" --rate "$rate" >/dev/null 2>&1 ;;
        fashion-mnist) cli produce --bootstrap-servers "$bootstrap" --topic "latency-in-$name" --fashion-mnist /usr/share/datasets/fashion-mnist \
                         --split train --limit "$n" --rate "$rate" >/dev/null 2>&1 ;;
      esac
      wait "$consumer" || true
      kill_tree "$job"; wait "$job" 2>/dev/null || true
      python3 - "$work/lat.jsonl" "$name b$batch" "$m" "$ck" "$rate" <<'PY' | tee -a "$out"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
res = sorted((r["value"]["event_time"], r["received_time"] - r["value"]["event_time"],
              r["value"]["processed_time"] - r["value"]["event_time"]) for r in rows if r.get("kind") == "result")
res = res[len(res) // 4:]   # the first quarter is warm-up
vis = sorted(x[1] for x in res); proc = sorted(x[2] for x in res)
p = lambda a, q: a[min(len(a) - 1, int(q * len(a)))] if a else None
print(json.dumps({"latency": True, "case": sys.argv[2], "mode": sys.argv[3], "checkpoint_s": int(sys.argv[4]),
                  "offered_fps": float(sys.argv[5]), "results": len(rows), "visible_ms_p50": p(vis, .5),
                  "visible_ms_p99": p(vis, .99), "processed_ms_p50": p(proc, .5), "processed_ms_p99": p(proc, .99)}))
PY
    done
  done
done

echo; cat "$work/threads.md" 2>/dev/null || true
python3 - "$out" <<'PY'
import json, statistics, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
by = collections.defaultdict(list)
for r in rows:
    if not r.get("latency"): by[(r["case"], r["mode"])].append(r["steady_images_per_second"])
cases = sorted({c for c, _ in by}, key=lambda c: (c.split()[0], int(c.split()[1][1:])))
print(f"\n| case | raw model img/s | job exactly-once img/s | eo / raw | job at-least-once img/s | alo / raw |  (medians of {len(by[(cases[0], 'raw')])} rounds)")
print("|---|---|---|---|---|---|")
for c in cases:
    raw = statistics.median(by[(c, "raw")]); eo = statistics.median(by[(c, "eo")]); alo = statistics.median(by[(c, "alo")])
    print(f"| {c} | {raw:.1f} | {eo:.1f} | {eo / raw:.2f}x | {alo:.1f} | {alo / raw:.2f}x |")
lat = [r for r in rows if r.get("latency")]
if lat:
    print("\n| case | delivery | checkpoint interval | offered frames/s | visible p50 ms | visible p99 ms | processed p50 ms | processed p99 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for r in lat:
        print(f"| {r['case']} | {'exactly-once' if r['mode'] == 'eo' else 'at-least-once'} | {r['checkpoint_s']} s | {r['offered_fps']} | "
              f"{r['visible_ms_p50']} | {r['visible_ms_p99']} | {r['processed_ms_p50']} | {r['processed_ms_p99']} |")
PY
