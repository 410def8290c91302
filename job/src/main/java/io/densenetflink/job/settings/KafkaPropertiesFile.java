package io.densenetflink.job.settings;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka client properties file ({@code --kafka-properties FILE}), the way Kafka's own tools take one ({@code
 * --command-config}): {@code security.protocol}, {@code sasl.*}, {@code ssl.*}, {@code config.providers}, ... for
 * every client. Passwords in it stay off command lines; values may instead name a config provider ({@code
 * ${env:NAME}}, {@code ${file:PATH:KEY}}), which each Kafka client resolves itself where it runs.
 */
public final class KafkaPropertiesFile {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaPropertiesFile.class);

    /** Files already warned about in this JVM: the job reads its file once per client. */
    private static final Set<Path> WARNED = ConcurrentHashMap.newKeySet();

    private static final Set<PosixFilePermission> OTHERS_READ = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.OTHERS_READ);

    private KafkaPropertiesFile() {}

    /**
     * The properties in {@code file}, in file order, after a warning (once per file) when users other than its owner
     * may read it.
     *
     * @throws IllegalArgumentException when the file is missing or unreadable, or sets a property the job or tool
     *     sets itself ({@link KafkaScope#OWNED}, e.g. {@code bootstrap.servers})
     */
    public static Map<String, String> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("kafka-properties: no such file: " + file);
        }
        warnIfOthersCanRead(file, "Kafka client properties file");
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Kafka client properties file " + file, e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            String owner = KafkaScope.OWNED.get(name);
            if (owner != null) {
                throw new IllegalArgumentException(file + ": " + name + " is set by the job and the tools themselves;"
                        + " use " + owner + " instead");
            }
            out.put(name, p.getProperty(name).trim());
        }
        return out;
    }

    /**
     * Warns, once per file, when group or others may read {@code file}: it may hold passwords. Silent where the file
     * system has no POSIX permissions.
     */
    public static void warnIfOthersCanRead(Path file, String what) {
        if (readableByOthers(file) && WARNED.add(file.toAbsolutePath().normalize())) {
            LOG.warn("the {} {} can be read by other users; it may hold passwords: chmod 600 {}", what, file, file);
        }
    }

    /** True when the file's group or others may read it; false where the file system has no POSIX permissions. */
    public static boolean readableByOthers(Path file) {
        try {
            return Files.getPosixFilePermissions(file).stream().anyMatch(OTHERS_READ::contains);
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        }
    }
}
