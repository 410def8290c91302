#!/usr/bin/env bash
# kafka-broker-api-versions.sh of the local apache/kafka:4.2.0 stand-in: Kafka's org.apache.kafka.tools.BrokerApiVersionsCommand.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
