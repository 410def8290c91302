#!/usr/bin/env bash
# kafka-run-class.sh of the local apache/kafka:4.2.0 stand-in: runs CLASS with /opt/kafka/libs on the class path,
# with the environment Kafka's own script reads (KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_LOG4J_OPTS,
# KAFKA_OPTS, LOG_DIR).
set -euo pipefail
base_dir="$(cd "$(dirname "$0")/.." && pwd)"
[[ "${1:-}" == -name ]] && shift 2    # kafka-server-start.sh's daemon name: unused in the foreground
[[ "${1:-}" == -loggc ]] && shift
LOG_DIR="${LOG_DIR:-$base_dir/logs}"
mkdir -p "$LOG_DIR" 2>/dev/null || true
KAFKA_LOG4J_OPTS="${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base_dir/config/tools-log4j2.yaml}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx256M}"
KAFKA_JVM_PERFORMANCE_OPTS="${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"
# shellcheck disable=SC2086 # the option variables hold several flags each
exec java $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS "-Dkafka.logs.dir=$LOG_DIR" $KAFKA_LOG4J_OPTS \
  -cp "$base_dir/libs/*" ${KAFKA_OPTS:-} "$@"
