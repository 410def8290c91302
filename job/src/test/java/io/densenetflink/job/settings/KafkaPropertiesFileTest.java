package io.densenetflink.job.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --kafka-properties FILE}: read as Kafka's tools read one, under the job's scopes, secrets recognised. */
class KafkaPropertiesFileTest {

    @Test
    void theFileGoesToEveryClientAndPrefixedSettingsWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
                + "sasl.jaas.config=${file:/run/secrets/kafka.properties:jaas}\n");
        JobSettings s = JobArguments.parse(List.of("--kafka-properties", file.toString(),
                "--kafka-consumer-property", "sasl.mechanism=PLAIN"));
        assertEquals("SASL_SSL", s.kafkaProperties(KafkaClient.RESULTS_PRODUCER).getProperty("security.protocol"));
        assertEquals("SCRAM-SHA-512", s.kafkaProperties(KafkaClient.ADMIN).getProperty("sasl.mechanism"));
        assertEquals("PLAIN", s.kafkaProperties(KafkaClient.CONSUMER).getProperty("sasl.mechanism"));
        assertEquals("${file:/run/secrets/kafka.properties:jaas}",
                s.kafkaProperties(KafkaClient.CONSUMER).getProperty("sasl.jaas.config"), "left to the client");
        s.setKafka(KafkaScope.PRODUCERS, "sasl.jaas.config", "PlainLoginModule required password=\"p4ss\";");
        assertFalse(s.toString().contains("p4ss"), s.toString());
        assertTrue(s.toString().contains("kafka.consumer.sasl.mechanism=PLAIN"), s.toString());
    }

    @Test
    void settingsTheJobOwnsAndMissingFilesAreRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "bootstrap.servers=elsewhere:9092\n");
        IllegalArgumentException owned = assertThrows(IllegalArgumentException.class, () -> KafkaPropertiesFile.read(file));
        assertTrue(owned.getMessage().contains("bootstrap-servers"), owned.getMessage());
        JobSettings s = JobArguments.parse(List.of("--kafka-properties", dir.resolve("none").toString()));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> s.kafkaProperties(KafkaClient.CONSUMER));
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
    }

    @Test
    void aFileOthersCanReadIsNoticed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SSL\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(KafkaPropertiesFile.readableByOthers(file));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertFalse(KafkaPropertiesFile.readableByOthers(file));
    }

    @Test
    void secretsAreRecognisedByNameAndByKafkasOwnTypes() {
        for (String secret : List.of("sasl.jaas.config", "ssl.truststore.password", "ssl.key.password",
                "sasl.oauthbearer.client.credentials.client.secret", "basic.auth.user.info.password")) {
            assertTrue(KafkaSecrets.isSecret(secret), secret);
        }
        assertFalse(KafkaSecrets.isSecret("security.protocol"));
        assertEquals(Map.of("sasl.mechanism", "PLAIN", "sasl.jaas.config", KafkaSecrets.HIDDEN),
                KafkaSecrets.redacted(Map.of("sasl.mechanism", "PLAIN", "sasl.jaas.config", "x password=\"p\";")));
    }
}
