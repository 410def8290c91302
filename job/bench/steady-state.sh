#!/usr/bin/env bash
# Steady-state pipeline benchmark (issues 13, 20): the job as users run it, draining a pre-filled topic, next to the
# raw model (`bench`) at the same batch size, interleaved round by round; medians of the rounds.
#   - `bin/densenet broker` in its own process on the same cores, one per input partition count the cases use;
#   - inputs written once beforehand: DenseNet-121 cases 256x256 synthetic photo-like JPEGs (~22 KB, `produce
#     --synthetic --size 256`), Fashion-MNIST cases the 28x28 training PNGs `produce --fashion-mnist` writes;
#   - the int8 model is the imported DenseNet-121 after `quantize`, calibrated on the benchmark's own frames;
#   - each case: `bench` (raw), then `bin/densenet run` draining the input topic from the start (exactly-once by
#     default, checkpoints every 2 s, default settings otherwise). READ=after (default): nothing reads the output
#     while the job drains; the drain is over when the job's CPU stays under half a core for 5 s, then a
#     read_committed consumer reads every result. READ=beside: the consumer runs beside the job on the same cores;
#   - throughput over the steady part only: results between the 20th and the 80th percentile of processed_time;
#   - CPU by thread role (native OpenMP workers included: thread_snapshot.py reads /proc) over that steady part, plus
#     the broker's (and with READ=beside the consumer's) process CPU, for the first round of each case;
#   - then end-to-end latency (result visible to a read_committed consumer minus the frame's event time) at an
#     offered rate of 70% of the measured exactly-once maximum, checkpoints every 1 s and every 10 s.
# Usage: job/bench/steady-state.sh [ROUNDS=3]
# Env: CASES     MODEL:BATCH:PARTITIONS ... (MODEL densenet121-int8, densenet121 or fashion-mnist; default: int8 b8
#                and b32 with 1 partition and with one per core, fp32 b8 with 1, Fashion-MNIST b32 with 1)
#      FRAMES_DN121 (default 3000), FRAMES_FM (default 20000), MODES ("eo", "alo" or both; default eo),
#      READ (after|beside), LATENCY_CASES (default "densenet121-int8:8:1"; LATENCY=0 skips), LATENCY_SECONDS (40),
#      JOB_ARGS (more `run` options for every drain).
# Needs ../shared/fixtures/parity/densenet121.safetensors and, for Fashion-MNIST, the Debian package
# dataset-fashion-mnist. A slow CPU (AVX2 only: DenseNet-121 about 12 images/s) wants FRAMES_DN121=600 or so.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bench="$root/job/bench"
rounds=${1:-3}
cores=$(nproc)
cases=${CASES:-densenet121-int8:8:1 densenet121-int8:8:$cores densenet121-int8:32:1 densenet121-int8:32:$cores densenet121:8:1 fashion-mnist:32:1}
latency_cases=${LATENCY_CASES:-densenet121-int8:8:1}
[ "${LATENCY:-1}" = 0 ] && latency_cases=""
frames_dn=${FRAMES_DN121:-3000}; frames_fm=${FRAMES_FM:-20000}; latency_secs=${LATENCY_SECONDS:-40}
modes=${MODES:-eo}; read_mode=${READ:-after}
work=$(mktemp -d); out="$work/rows.jsonl"
cli() { DENSENET_SKIP_BUILD=1 "$root/bin/densenet" "$@"; }
pids=()
# A background `cli ...` is a subshell whose descendant is the JVM (bin/densenet execs java): stop the whole tree.
kill_tree() { local c; for c in $(pgrep -P "$1"); do kill_tree "$c"; done; kill "$1" 2>/dev/null || true; }
cleanup() { for p in "${pids[@]}"; do kill_tree "$p"; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

model_of() { echo "$work/${1%%:*}"; }
batch_of() { local c=${1#*:}; echo "${c%%:*}"; }
partitions_of() { echo "${1##*:}"; }
input_of() { case ${1%%:*} in densenet121*) echo photos ;; fashion-mnist) echo fashion-mnist ;; *) echo "unknown model in $1" >&2; exit 2 ;; esac; }
frames_of() { [ "$(input_of "$1")" = photos ] && echo "$frames_dn" || echo "$frames_fm"; }
id_of() { echo "${1%%:*}-b$(batch_of "$1")-p$(partitions_of "$1")"; }
label_of() { echo "${1%%:*} b$(batch_of "$1"), $(partitions_of "$1") partition(s)"; }
proc_ms() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000 / hz}' "/proc/$1/stat"; }
now_ms() { date +%s%3N; }
# The JVM under a background `cli ...`.
java_pid_of() { local p=$1 c; while c=$(pgrep -P "$p" | head -1) && [ -n "$c" ]; do p=$c; done; echo "$p"; }

cpu="$(lscpu | sed -n 's/^Model name: *//p'); flags: $(grep -m1 -o -w -E 'avx2|avx512_vnni|avx512_bf16|amx_int8' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "# CPU: $cpu, $cores cores" >&2
"$root/bin/densenet" info --variant densenet121 >/dev/null   # builds the project if needed

# Models: the shipped Fashion-MNIST one; DenseNet-121 imported (and quantized below, once frames exist).
ln -s "$root/models/fashion-mnist-densenet" "$work/fashion-mnist"
if echo "$cases $latency_cases" | grep -q densenet121; then
  cli import --weights "$root/../shared/fixtures/parity/densenet121.safetensors" --variant densenet121 \
    --out "$work/densenet121" >/dev/null
fi

# One broker per partition count, every topic created up front.
declare -A broker_of
for p in $(for c in $cases $latency_cases; do partitions_of "$c"; done | sort -u); do
  topics="in-photos,in-fashion-mnist,latency-in-photos,latency-in-fashion-mnist,dlq"
  for c in $cases $latency_cases; do
    [ "$(partitions_of "$c")" = "$p" ] || continue
    for r in $(seq 1 "$rounds"); do for m in $modes; do topics="$topics,out-$(id_of "$c")-$m-$r"; done; done
    for ck in 1 10; do topics="$topics,lat-$(id_of "$c")-$ck,latdlq-$(id_of "$c")-$ck"; done
  done
  cli broker --port 0 --partitions "$p" --topics "$(echo "$topics" | tr ',' '\n' | sort -u | paste -sd, -)" \
    >"$work/broker-$p.out" 2>"$work/broker-$p.err" &
  pids+=("$!"); broker_pid=$!
  until grep -q '^bootstrap.servers=' "$work/broker-$p.out"; do sleep 0.5; kill -0 $broker_pid || { cat "$work/broker-$p.err"; exit 1; }; done
  broker_of[$p]=$(sed -n 's/^bootstrap.servers=//p' "$work/broker-$p.out")
  echo "$(java_pid_of $broker_pid)" >"$work/broker-$p.pid"
  echo "# broker with $p partition(s) per topic: ${broker_of[$p]}" >&2
  # Frames without a key spread by Kafka's sticky partitioner land unevenly (360 / 540 of 900 measured), and a
  # slot whose partition runs dry idles while the other drains the rest: spread them evenly instead.
  even="--kafka-property partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner"
  for input in $(for c in $cases; do [ "$(partitions_of "$c")" = "$p" ] && input_of "$c"; done | sort -u); do
    case $input in
      photos) save=""; [ -d "$work/frames" ] || save="--save-frames $work/frames"
              cli produce --bootstrap-servers "${broker_of[$p]}" --topic in-photos --synthetic "$frames_dn" --size 256 $save $even >&2 ;;
      fashion-mnist) cli produce --bootstrap-servers "${broker_of[$p]}" --topic in-fashion-mnist $even \
                       --fashion-mnist /usr/share/datasets/fashion-mnist --split train --limit "$frames_fm" >&2 ;;
    esac
  done
done
if echo "$cases $latency_cases" | grep -q densenet121-int8; then
  [ -d "$work/frames" ] || cli produce --bootstrap-servers "${broker_of[$(partitions_of "${latency_cases%% *}")]}" \
    --topic latency-in-photos --synthetic 32 --size 256 --save-frames "$work/frames" >/dev/null
  cli quantize --model "$work/densenet121" --out "$work/densenet121-int8" --calibration "$work/frames" >&2
fi

# Waits until the JVM PID worked (over half a core) and then stayed under half a core for 5 s: the topic is drained.
await_drained() {
  local pid=$1 prev cur busy=0 quiet=0 half=$(( $(getconf CLK_TCK) / 2 ))
  prev=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  while sleep 1; do
    cur=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null) || return 1
    if [ $((cur - prev)) -gt "$half" ]; then busy=1; quiet=0; elif [ $busy = 1 ]; then quiet=$((quiet + 1)); fi
    prev=$cur
    [ $quiet -ge 5 ] && return 0
  done
}

# drain CASE MODE ROUND PROFILE: run the job over the whole input topic, print one JSON row.
drain() {
  local c=$1 mode=$2 round=$3 profile=$4
  local p n bs topic delivery=exactly-once snaps="$work/snaps"
  p=$(partitions_of "$c"); n=$(frames_of "$c"); bs=${broker_of[$p]}; topic="out-$(id_of "$c")-$mode-$round"
  [ "$mode" = alo ] && delivery=at-least-once
  rm -rf "$snaps"; mkdir -p "$snaps"; : >"$work/consumed.jsonl"
  local consumer=""
  if [ "$read_mode" = beside ]; then
    cli consume --bootstrap-servers "$bs" --topic "$topic" --limit "$n" --idle-timeout 600s --json \
      >"$work/consumed.jsonl" 2>/dev/null &
    consumer=$!; pids+=("$consumer")
  fi
  cli run --bootstrap-servers "$bs" --input-topic "in-$(input_of "$c")" --output-topic "$topic" --dlq-topic dlq \
    --model "$(model_of "$c")" --batch-size "$(batch_of "$c")" --checkpoint-interval 2s --delivery "$delivery" \
    --job-name "ss-$(id_of "$c")-$mode-$round" --group-id "ss-$(id_of "$c")-$mode-$round" --starting-offsets earliest \
    ${JOB_ARGS:-} >"$work/run.log" 2>&1 &
  local job=$!; pids+=("$job")
  local jvm=""; while [ -z "$jvm" ] || [ "$jvm" = "$job" ]; do sleep 0.2; jvm=$(java_pid_of "$job"); done
  local sampler=""
  if [ "$profile" = 1 ]; then
    local broker_jvm consumer_jvm=""; broker_jvm=$(cat "$work/broker-$p.pid")
    [ -n "$consumer" ] && consumer_jvm=$(java_pid_of "$consumer")
    ( while kill -0 "$jvm" 2>/dev/null; do
        t=$(now_ms); python3 "$bench/thread_snapshot.py" "$jvm" "$snaps/$t.threads" 2>/dev/null || true
        echo "$t $(proc_ms "$broker_jvm") $([ -n "$consumer_jvm" ] && proc_ms "$consumer_jvm" || echo 0)" >>"$snaps/procs"
        sleep 2
      done ) &
    sampler=$!
  fi
  if [ "$read_mode" = beside ]; then wait "$consumer" || true; else await_drained "$jvm" || true; fi
  [ "$profile" = 1 ] && jstack "$jvm" >"$snaps/names.jstack" 2>/dev/null || true
  if [ "$read_mode" = after ]; then
    cli consume --bootstrap-servers "$bs" --topic "$topic" --limit "$n" --idle-timeout 60s --json \
      >"$work/consumed.jsonl" 2>/dev/null || true
  fi
  kill_tree "$job"; wait "$job" 2>/dev/null || true
  [ -n "$sampler" ] && { kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; }
  python3 - "$work/consumed.jsonl" "$(id_of "$c")" "$mode" "$round" "$n" "$snaps" "$(label_of "$c") $mode" \
    "$bench" "$profile" <<'PY' | tee -a "$out"
import glob, json, os, subprocess, sys
path, case, mode, rnd, n, snaps, label, bench, profile = sys.argv[1:]
rows = [json.loads(l) for l in open(path) if l.startswith("{")]
t = sorted(r["value"]["processed_time"] for r in rows if r.get("kind") == "result")
row = {"round": int(rnd), "case": case, "mode": mode, "results": len(t), "expected": int(n)}
if t:
    lo, hi = t[int(0.2 * (len(t) - 1))], t[int(0.8 * (len(t) - 1))]
    row["steady_images_per_second"] = round(sum(1 for x in t if lo <= x <= hi) / max(1e-3, (hi - lo) / 1000), 2)
    # Per input partition: results, and when its last one came (s after the first result): a partition that
    # holds more frames, or a slot that started later, leaves the other slots idle at the end.
    parts = {}
    for r in rows:
        if r.get("kind") == "result":
            parts.setdefault(r["value"]["partition"], []).append(r["value"]["processed_time"])
    row["partitions"] = {p: {"results": len(v), "last_s": round((max(v) - t[0]) / 1000, 1)}
                         for p, v in sorted(parts.items())}
print(json.dumps(row))
if profile == "1" and t:
    # CPU by role between the snapshots nearest the steady part's ends.
    shots = sorted(int(os.path.basename(f).split(".")[0]) for f in glob.glob(snaps + "/*.threads"))
    a = min(shots, key=lambda s: abs(s - lo)); b = min(shots, key=lambda s: abs(s - hi))
    procs = {int(l.split()[0]): l.split()[1:] for l in open(snaps + "/procs")}
    if b > a:
        extra = ["--extra", f"kafka broker process={float(procs[b][0]) - float(procs[a][0]):.0f}"]
        if float(procs[b][1]) > 0:
            extra += ["--extra", f"read_committed consumer process={float(procs[b][1]) - float(procs[a][1]):.0f}"]
        names = ["--jstack", snaps + "/names.jstack"] if os.path.getsize(snaps + "/names.jstack") else []
        table = subprocess.run(["python3", bench + "/thread_roles.py", f"{snaps}/{a}.threads", f"{snaps}/{b}.threads",
                                "--wall-ms", str(b - a), "--label", label] + extra + names,
                               capture_output=True, text=True).stdout
        with open(os.path.join(os.path.dirname(snaps), "threads.md"), "a") as f:
            f.write(table)
PY
}

for r in $(seq 1 "$rounds"); do
  for c in $cases; do
    cli bench --model "$(model_of "$c")" --batch "$(batch_of "$c")" --seconds 12 --json \
      | python3 -c "import json,sys; r=json.loads(sys.stdin.readline()); print(json.dumps({'round': $r, 'case': '$(id_of "$c")', 'mode': 'raw', 'steady_images_per_second': r['images_per_second']}))" \
      | tee -a "$out"
    for m in $modes; do drain "$c" "$m" "$r" "$([ "$r" = 1 ] && [ "$m" = "${modes%% *}" ] && echo 1 || echo 0)"; done
  done
done

# Latency at 70% of the measured exactly-once maximum (offered with `produce --rate`).
for c in $latency_cases; do
  p=$(partitions_of "$c"); bs=${broker_of[$p]}; input=$(input_of "$c")
  max=$(python3 -c "
import json, statistics
rows = [json.loads(l) for l in open('$out') if l.startswith('{')]
v = [r['steady_images_per_second'] for r in rows if r['case'] == '$(id_of "$c")' and r['mode'] == 'eo' and 'steady_images_per_second' in r]
print(statistics.median(v) if v else 0)")
  [ "$max" = 0 ] && { echo "# no exactly-once figure for $c: add it to CASES for its latency" >&2; continue; }
  rate=$(python3 -c "print(round(0.7 * $max, 1))")
  for ck in 1 10; do
    topic="lat-$(id_of "$c")-$ck"
    cli run --bootstrap-servers "$bs" --input-topic "latency-in-$input" --output-topic "$topic" \
      --dlq-topic "latdlq-$(id_of "$c")-$ck" --model "$(model_of "$c")" --batch-size "$(batch_of "$c")" \
      --checkpoint-interval "${ck}s" --job-name "lat-$(id_of "$c")-$ck" --group-id "lat-$(id_of "$c")-$ck" \
      --starting-offsets latest ${JOB_ARGS:-} >"$work/run.log" 2>&1 &
    job=$!; pids+=("$job")
    sleep 25   # the job is up and its source assigned before frames flow
    n=$(python3 -c "print(int($rate * $latency_secs))")
    cli consume --bootstrap-servers "$bs" --topic "$topic" --limit "$n" --idle-timeout 60s --json \
      >"$work/lat.jsonl" 2>/dev/null &
    consumer=$!; pids+=("$consumer")
    case $input in
      photos) cli produce --bootstrap-servers "$bs" --topic "latency-in-$input" --synthetic "$n" --size 256 --rate "$rate" >/dev/null 2>&1 ;;
      fashion-mnist) cli produce --bootstrap-servers "$bs" --topic "latency-in-$input" --fashion-mnist /usr/share/datasets/fashion-mnist \
                       --split train --limit "$n" --rate "$rate" >/dev/null 2>&1 ;;
    esac
    wait "$consumer" || true
    kill_tree "$job"; wait "$job" 2>/dev/null || true
    python3 - "$work/lat.jsonl" "$(id_of "$c")" "$ck" "$rate" <<'PY' | tee -a "$out"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
res = sorted((r["value"]["event_time"], r["received_time"] - r["value"]["event_time"],
              r["value"]["processed_time"] - r["value"]["event_time"]) for r in rows if r.get("kind") == "result")
res = res[len(res) // 4:]   # the first quarter is warm-up
vis = sorted(x[1] for x in res); proc = sorted(x[2] for x in res)
p = lambda a, q: a[min(len(a) - 1, int(q * len(a)))] if a else None
print(json.dumps({"latency": True, "case": sys.argv[2], "checkpoint_s": int(sys.argv[3]),
                  "offered_fps": float(sys.argv[4]), "results": len(rows), "visible_ms_p50": p(vis, .5),
                  "visible_ms_p99": p(vis, .99), "processed_ms_p50": p(proc, .5), "processed_ms_p99": p(proc, .99)}))
PY
  done
done

echo; echo "CPU: $cpu, $cores cores; READ=$read_mode"
cat "$work/threads.md" 2>/dev/null || true
python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
by = collections.defaultdict(list); short = []
for r in rows:
    if r.get("latency"):
        continue
    if r["mode"] != "raw" and r["results"] < r["expected"]:
        short.append(f"{r['case']} {r['mode']} round {r['round']}: {r['results']} of {r['expected']} results")
    if "steady_images_per_second" in r:
        by[(r["case"], r["mode"])].append(r["steady_images_per_second"])
modes = [m for m in ("eo", "alo") if any(k[1] == m for k in by)]
names = {"eo": "exactly-once", "alo": "at-least-once"}
print(f"\n| case | raw model img/s | " + " | ".join(f"job {names[m]} img/s | {m} / raw" for m in modes)
      + f" |  (medians of {sys.argv[2]} interleaved rounds)")
print("|---|---|" + "---|---|" * len(modes))
for case in dict.fromkeys(r["case"] for r in rows if not r.get("latency")):
    raw = statistics.median(by[(case, "raw")])
    cells = []
    for m in modes:
        job = statistics.median(by[(case, m)]) if by[(case, m)] else float("nan")
        cells.append(f"{job:.1f} | {job / raw:.2f}x")
    print(f"| {case} | {raw:.1f} | " + " | ".join(cells) + " |")
for s in short:
    print("INCOMPLETE DRAIN:", s)
lat = [r for r in rows if r.get("latency")]
if lat:
    print("\n| case | checkpoint interval | offered frames/s | visible p50 ms | visible p99 ms | processed p50 ms | processed p99 ms |")
    print("|---|---|---|---|---|---|---|")
    for r in lat:
        print(f"| {r['case']} exactly-once | {r['checkpoint_s']} s | {r['offered_fps']} | {r['visible_ms_p50']} | "
              f"{r['visible_ms_p99']} | {r['processed_ms_p50']} | {r['processed_ms_p99']} |")
PY
