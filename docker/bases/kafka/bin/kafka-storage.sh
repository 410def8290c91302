#!/usr/bin/env bash
# kafka-storage.sh of the local apache/kafka:4.2.0 stand-in: Kafka's kafka.tools.StorageTool.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.StorageTool "$@"
