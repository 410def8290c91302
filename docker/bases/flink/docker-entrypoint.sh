#!/usr/bin/env bash
# /docker-entrypoint.sh of the local flink:2.2-java17 stand-in: the commands and environment of the official
# image's entrypoint that densenet-flink uses, started the way Flink's bin/ scripts start them:
#   jobmanager [ARGS]       StandaloneSessionClusterEntrypoint
#   standalone-job [ARGS]   StandaloneApplicationClusterEntryPoint (application mode; the job jar in usrlib/)
#   taskmanager [ARGS]      TaskManagerRunner
#   help                    usage; anything else is executed as given
# Environment: JOB_MANAGER_RPC_ADDRESS (default: this host), TASK_MANAGER_NUMBER_OF_TASK_SLOTS, FLINK_PROPERTIES
# ("key: value" lines, whitespace removed as the official image does, then envsubst); they are written into
# conf/config.yaml with Flink's own BashJavaUtils, which also derives the JVM's memory flags from the
# configuration (GET_JM_RESOURCE_PARAMS / GET_TM_RESOURCE_PARAMS), as bin/jobmanager.sh and bin/taskmanager.sh do.
set -euo pipefail

FLINK_HOME="${FLINK_HOME:-/opt/flink}"
export FLINK_HOME FLINK_CONF_DIR="${FLINK_CONF_DIR:-$FLINK_HOME/conf}"
lib_classpath="$(printf '%s:' "$FLINK_HOME"/lib/*.jar)"
lib_classpath="${lib_classpath%:}"
prefix="BASH_JAVA_UTILS_EXEC_RESULT:"

usage() {
  echo "Usage: $(basename "$0") (jobmanager|standalone-job|taskmanager|help) [ARGS...]"
  echo "    Or $(basename "$0") COMMAND to run any command (local stand-in for flink:2.2-java17)"
}

# Runs Flink's BashJavaUtils; prints its result lines (without the prefix), exits on failure.
bash_java_utils() {
  local output
  if ! output="$(java -classpath "$lib_classpath" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" \
      --configDir "$FLINK_CONF_DIR" "${@:2}" 2>&1)"; then
    echo "[ERROR] BashJavaUtils $1 failed:" >&2
    echo "$output" >&2
    exit 1
  fi
  grep "^$prefix" <<< "$output" | sed "s/^$prefix//" || true
}

prepare_configuration() {
  local params=("-Djobmanager.rpc.address=${JOB_MANAGER_RPC_ADDRESS:-$(hostname -f)}"
    "-Dblob.server.port=6124" "-Dquery.server.port=6125")
  if [[ -n "${TASK_MANAGER_NUMBER_OF_TASK_SLOTS:-}" ]]; then
    params+=("-Dtaskmanager.numberOfTaskSlots=${TASK_MANAGER_NUMBER_OF_TASK_SLOTS}")
  fi
  local line key value
  while IFS= read -r line; do
    line="$(tr -d '[:space:]' <<< "$line")"
    [[ -n "$line" ]] || continue
    IFS=':' read -r key value <<< "$line"
    params+=("-D${key}=$(envsubst <<< "$value")")
  done <<< "${FLINK_PROPERTIES:-}"
  local updated
  updated="$(bash_java_utils UPDATE_AND_GET_FLINK_CONFIGURATION "${params[@]}")"
  echo "$updated" > "$FLINK_CONF_DIR/config.yaml"
}

# A configuration value as Flink reads it (flattened keys), empty when unset.
config_value() {
  grep "^$1:" <<< "$flat_config" | tail -n 1 | cut -d ':' -f 2- | sed 's/^ *//;s/ *$//' || true
}

# Starts CLASS as a Flink process of ROLE (jobmanager / taskmanager) with the memory flags of RESOURCES.
run_process() {
  local role="$1" resources="$2" class="$3" service="$4"
  shift 4
  flat_config="$(bash_java_utils UPDATE_AND_GET_FLINK_CONFIGURATION -flatten)"
  local params jvm_params dynamic
  params="$(bash_java_utils "$resources")"
  jvm_params="$(head -n 1 <<< "$params")"
  dynamic="$(tail -n 1 <<< "$params")"
  local java_opts
  java_opts="$(config_value env.java.default-opts.all) $(config_value env.java.opts.all)"
  java_opts+=" $(config_value "env.java.default-opts.$role") $(config_value "env.java.opts.$role")"
  mkdir -p "$FLINK_HOME/log"
  local log="$FLINK_HOME/log/flink--$service-0-$(hostname).log"
  # shellcheck disable=SC2086 # word splitting of the JVM flags and dynamic properties is intended
  exec java $jvm_params -XX:+IgnoreUnrecognizedVMOptions $java_opts \
    "-Dlog.file=$log" "-Dlog4j.configuration=file:$FLINK_CONF_DIR/log4j-console.properties" \
    "-Dlog4j.configurationFile=file:$FLINK_CONF_DIR/log4j-console.properties" \
    -classpath "$lib_classpath" "$class" $dynamic --configDir "$FLINK_CONF_DIR" "$@"
}

if (($# == 0)) || [[ "$1" == help ]]; then
  usage
  exit 0
fi
command="$1"
shift
case "$command" in
  jobmanager)
    prepare_configuration
    run_process jobmanager GET_JM_RESOURCE_PARAMS \
      org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint standalonesession \
      --executionMode cluster "$@"
    ;;
  standalone-job)
    prepare_configuration
    run_process jobmanager GET_JM_RESOURCE_PARAMS \
      org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint standalonejob "$@"
    ;;
  taskmanager)
    prepare_configuration
    run_process taskmanager GET_TM_RESOURCE_PARAMS \
      org.apache.flink.runtime.taskexecutor.TaskManagerRunner taskexecutor "$@"
    ;;
  *)
    exec "$command" "$@"
    ;;
esac
