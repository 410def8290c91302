#!/usr/bin/env bash
# Entrypoint of the densenet-flink images: sets MXNet's threading and (GPU image) picks the MXNet native
# library, then hands over to the official Flink entrypoint (/docker-entrypoint.sh: jobmanager, taskmanager,
# standalone-job, ...).
set -euo pipefail

# MXNet's engine: NaiveEngine runs each operator on the calling thread, so each slot's inference thread runs its
# own model with the thread count set through MXNet's API on that thread (DJL's advice for several predictors
# in one JVM). The threaded engine would add its own worker pool shared by all slots.
export MXNET_ENGINE_TYPE="${MXNET_ENGINE_TYPE:-NaiveEngine}"

# MXNet reads OMP_NUM_THREADS once, when its native library loads. Default: this container's cores divided by
# the task manager's slots, so the slots of one task manager do not oversubscribe the cores.
if [[ -z "${OMP_NUM_THREADS:-}" ]]; then
  cores="$(nproc)"
  slots="${TASK_MANAGER_NUMBER_OF_TASK_SLOTS:-}"
  if [[ -z "$slots" ]]; then
    slots="$(sed -n 's/^taskmanager\.numberOfTaskSlots:[[:space:]]*\([0-9][0-9]*\).*/\1/p' \
      "${FLINK_HOME:-/opt/flink}/conf/config.yaml" | head -n 1)"
  fi
  slots="${slots:-1}"
  threads=$(( cores / slots ))
  export OMP_NUM_THREADS=$(( threads > 0 ? threads : 1 ))
fi

# GPU image only (it sets MXNET_CUDA_LIBRARY_PATH): use the CUDA build of MXNet, and Flink's GPU external
# resource, when a GPU it supports is visible; else stay on the MKL (CPU) natives from lib/ and on CPU.
# MXNet 1.9's CUDA builds cover compute capability 5.0 to 8.6 (Maxwell to Ampere); newer cards (Ada 8.9,
# Hopper 9.0, Blackwell) are not supported.
if [[ -n "${MXNET_CUDA_LIBRARY_PATH:-}" && -z "${MXNET_LIBRARY_PATH:-}" ]]; then
  if nvidia-smi -L >/dev/null 2>&1; then
    # compute_cap needs a driver from 2022 or later; without it, trust the card.
    newest="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | sort -V | tail -n 1 \
      | tr -d '[:space:]' || true)"
    if [[ "${DENSENET_FORCE_GPU:-0}" == 1 || ! "$newest" =~ ^[0-9]+\.[0-9]+$ ]] \
        || [[ "$(printf '%s\n8.6\n' "$newest" | sort -V | tail -n 1)" == 8.6 ]]; then
      export MXNET_LIBRARY_PATH="$MXNET_CUDA_LIBRARY_PATH"
      # Flink's GPU external resource: each task manager discovers its GPU indexes with nvidia-smi, and the
      # operator's device "auto" spreads its slots over them. Only set here, so a CPU fallback runs on CPU.
      export FLINK_PROPERTIES="${FLINK_PROPERTIES:-}
external-resources: gpu
external-resource.gpu.driver-factory.class: org.apache.flink.externalresource.gpu.GPUDriverFactory
external-resource.gpu.amount: ${DENSENET_GPUS_PER_TASKMANAGER:-1}"
      echo "densenet: GPU (compute capability ${newest:-unknown}): MXNet CUDA natives from ${MXNET_LIBRARY_PATH}" >&2
    else
      echo "densenet: GPU compute capability ${newest} is newer than MXNet 1.9 supports (<= 8.6): running on" \
        "CPU (DENSENET_FORCE_GPU=1 tries the GPU anyway)" >&2
    fi
  else
    echo "densenet: no NVIDIA GPU visible (nvidia-smi -L): MXNet runs on CPU" >&2
  fi
fi

# Application mode (standalone-job) without HA keeps no memory of its job: a job manager that was killed and
# started again would run the job from scratch (its Kafka source from the committed group offsets, its
# transactions' state lost). Instead it resumes from the latest completed checkpoint on the checkpoint volume,
# as `bin/densenet run --state-dir` does on one machine (same code: RetainedCheckpoints). An explicit
# --fromSavepoint/-s wins; DENSENET_RESUME=none starts fresh.
case "${DENSENET_RESUME:-latest}" in
  latest | none) ;;
  *) echo "densenet: DENSENET_RESUME must be latest or none, got '${DENSENET_RESUME}'" >&2; exit 2 ;;
esac
if [[ "${1:-}" == standalone-job && "${DENSENET_RESUME:-latest}" == latest ]]; then
  explicit=0
  for arg in "$@"; do
    [[ "$arg" == --fromSavepoint || "$arg" == -s || "$arg" == --fromSavepoint=* ]] && explicit=1
  done
  if ((explicit == 0)); then
    checkpoints="${DENSENET_CHECKPOINT_DIR:-${FLINK_HOME:-/opt/flink}/checkpoints}"
    latest="$(java -cp "${FLINK_HOME:-/opt/flink}/usrlib/densenet-job.jar" io.densenetflink.job.RetainedCheckpoints \
      "$checkpoints")"
    if [[ -n "$latest" ]]; then
      echo "densenet: resuming from the latest completed checkpoint $latest" >&2
      # Before the job's own arguments: the entry point's options end at the first one it does not know.
      set -- standalone-job --fromSavepoint "$latest" "${@:2}"
    else
      echo "densenet: no completed checkpoint under $checkpoints: the job starts fresh" >&2
    fi
  fi
fi

echo "densenet: MXNET_ENGINE_TYPE=${MXNET_ENGINE_TYPE} OMP_NUM_THREADS=${OMP_NUM_THREADS}" >&2
exec /docker-entrypoint.sh "$@"
