package io.densenetflink.job.settings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Which Kafka client properties hold secrets, so that nothing the job or the tools print shows them: {@code
 * sasl.jaas.config}, every {@code *.password}, and whatever Kafka's own client definitions type as a password
 * ({@code ssl.key.password}, {@code sasl.client.callback.handler...} secrets, ...).
 */
public final class KafkaSecrets {

    /** What a secret is shown as. */
    public static final String HIDDEN = "[hidden]";

    private static final List<ConfigDef> CLIENT_DEFINITIONS = List.of(ProducerConfig.configDef(),
            ConsumerConfig.configDef(), AdminClientConfig.configDef());

    private KafkaSecrets() {}

    /** True when the value of property {@code name} (without scope prefix) may be a secret. */
    public static boolean isSecret(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith("sasl.jaas.config") || n.endsWith("password") || n.contains("secret")) {
            return true;
        }
        for (ConfigDef definition : CLIENT_DEFINITIONS) {
            ConfigDef.ConfigKey key = definition.configKeys().get(name);
            if (key != null && key.type == ConfigDef.Type.PASSWORD) {
                return true;
            }
        }
        return false;
    }

    /** A copy of {@code properties} with every secret value shown as {@value #HIDDEN}. */
    public static Map<String, String> redacted(Map<?, ?> properties) {
        Map<String, String> out = new LinkedHashMap<>();
        properties.forEach((k, v) -> out.put(String.valueOf(k), isSecret(String.valueOf(k)) ? HIDDEN
                : String.valueOf(v)));
        return out;
    }
}
