#!/usr/bin/env bash
# kafka-topics.sh of the local apache/kafka:4.2.0 stand-in: Kafka's org.apache.kafka.tools.TopicCommand.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.TopicCommand "$@"
