package io.densenetflink.job.cli;

import io.densenetflink.job.settings.KafkaPropertiesFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the Kafka cluster is, and extra client properties (TLS, SASL, ...) for the tools that talk to it. */
final class KafkaClientOptions {

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "H:P[,H:P...]",
            description = "Kafka brokers to connect to (e.g. 127.0.0.1:9092).")
    String bootstrapServers;

    @Option(names = "--kafka-properties", paramLabel = "FILE",
            description = "Kafka client properties file (security.protocol, sasl.*, ssl.*, config.providers, ...), "
                    + "as the job's kafka-properties setting: passwords stay off the command line.")
    Path kafkaPropertiesFile;

    @Option(names = "--kafka-property", paramLabel = "k=v",
            description = "Kafka client property, e.g. security.protocol=SSL (repeatable; wins over the defaults and "
                    + "--kafka-properties).")
    List<String> kafkaProperties = new ArrayList<>();

    /** The properties of --kafka-properties, then the --kafka-property pairs, in order (the later winning). */
    Map<String, String> properties() {
        Map<String, String> out = new LinkedHashMap<>();
        if (kafkaPropertiesFile != null) {
            out.putAll(KafkaPropertiesFile.read(kafkaPropertiesFile));
        }
        for (String kv : kafkaProperties) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--kafka-property: expected key=value, got '" + kv + "'");
            }
            out.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return out;
    }
}
