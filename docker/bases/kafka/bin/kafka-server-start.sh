#!/usr/bin/env bash
# kafka-server-start.sh of the local apache/kafka:4.2.0 stand-in: the broker/controller (kafka.Kafka) in the
# foreground, with Kafka's defaults for the server's heap and logging.
set -euo pipefail
base_dir="$(cd "$(dirname "$0")" && pwd)"
(($# >= 1)) || { echo "USAGE: $0 server.properties [--override property=value]*" >&2; exit 1; }
export KAFKA_LOG4J_OPTS="${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base_dir/../config/log4j2.yaml}"
export KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}"
exec "$base_dir/kafka-run-class.sh" kafka.Kafka "$@"
