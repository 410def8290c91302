package io.densenetflink.job.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The embedded broker's secured client listener: {@code SASL_SSL}, SCRAM-SHA-512 for clients over TLS, with an
 * authorizer that allows nothing without an ACL. Made in a directory the user names, kept there across restarts:
 *
 * <ul>
 *   <li>{@value #KEYSTORE}: the broker's self-signed certificate and key (made with the JDK's {@code keytool}, valid
 *       for 127.0.0.1 and localhost), {@value #CERTIFICATE} the certificate clients trust;
 *   <li>{@value #SECRETS}: the keystore password and both principals' passwords, readable by the owner only;
 *   <li>{@value #CLIENT_PROPERTIES}: what a client of principal {@value #CLIENT_USER} passes ({@code
 *       --kafka-properties}); it has no rights until ACLs grant them ({@code densenet acls});
 *   <li>{@value #ADMIN_PROPERTIES}: the same for {@value #ADMIN_USER}, a super user, to create topics and ACLs.
 * </ul>
 *
 * <p>{@value #ADMIN_USER} logs in with SASL/PLAIN, checked against the broker's own JAAS configuration: SCRAM
 * credentials live in the cluster's metadata, so someone must be able to log in before the first one exists. The
 * broker uses the same login to reach itself (transaction markers). The KRaft controller listener stays PLAINTEXT on
 * 127.0.0.1; its principal ({@code User:ANONYMOUS}) is a super user so the broker can register.
 */
public final class SecuredListener {

    /** The principal of the job and the tools. */
    public static final String CLIENT_USER = "densenet";
    /** The super user. */
    public static final String ADMIN_USER = "admin";
    /** The SASL mechanism of clients. */
    public static final String CLIENT_MECHANISM = "SCRAM-SHA-512";

    static final String KEYSTORE = "broker.p12";
    static final String CERTIFICATE = "broker-certificate.pem";
    static final String SECRETS = "broker-secrets.properties";
    public static final String CLIENT_PROPERTIES = "client.properties";
    public static final String ADMIN_PROPERTIES = "admin.properties";

    private static final String SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule";
    private static final String PLAIN_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule";

    private final Path dir;
    private final Properties secrets;

    private SecuredListener(Path dir, Properties secrets) {
        this.dir = dir;
        this.secrets = secrets;
    }

    /**
     * The listener's material in {@code dir}: read when it is there, made (certificate, passwords) when it is not.
     * The directory is created readable by its owner only.
     */
    public static SecuredListener in(Path dir) {
        try {
            Path d = dir.toAbsolutePath().normalize();
            if (!Files.isDirectory(d)) {
                Files.createDirectories(d);
                ownerOnly(d, "rwx------");
            }
            Properties secrets = new Properties();
            Path secretsFile = d.resolve(SECRETS);
            if (Files.isRegularFile(secretsFile)) {
                try (InputStream in = Files.newInputStream(secretsFile)) {
                    secrets.load(in);
                }
            } else {
                for (String key : List.of("keystore", ADMIN_USER, CLIENT_USER)) {
                    secrets.setProperty(key + ".password", randomPassword());
                }
                writePrivate(secretsFile, secrets, "passwords of the embedded broker's keystore and principals");
            }
            SecuredListener listener = new SecuredListener(d, secrets);
            if (!Files.isRegularFile(d.resolve(KEYSTORE)) || !Files.isRegularFile(d.resolve(CERTIFICATE))) {
                listener.makeCertificate();
            }
            listener.writeClientProperties(d.resolve(CLIENT_PROPERTIES), listener.clientProperties());
            listener.writeClientProperties(d.resolve(ADMIN_PROPERTIES), listener.adminProperties());
            return listener;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the secured listener in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The directory holding the material. */
    public Path dir() {
        return dir;
    }

    /** The password of {@link #CLIENT_USER}. */
    public String clientPassword() {
        return secrets.getProperty(CLIENT_USER + ".password");
    }

    /**
     * The broker settings for a listener named {@code listener} (in upper case, as in {@code listeners}): TLS with
     * the keystore, SCRAM-SHA-512 and PLAIN, the authorizer, and the super users.
     */
    Map<String, String> brokerProperties(String listener) {
        String prefix = "listener.name." + listener.toLowerCase(Locale.ROOT) + ".";
        String admin = secrets.getProperty(ADMIN_USER + ".password");
        Map<String, String> p = new LinkedHashMap<>();
        p.put(prefix + "ssl.keystore.type", "PKCS12");
        p.put(prefix + "ssl.keystore.location", dir.resolve(KEYSTORE).toString());
        p.put(prefix + "ssl.keystore.password", secrets.getProperty("keystore.password"));
        p.put(prefix + "ssl.truststore.type", "PEM");
        p.put(prefix + "ssl.truststore.location", dir.resolve(CERTIFICATE).toString());
        p.put(prefix + "sasl.enabled.mechanisms", CLIENT_MECHANISM + ",PLAIN");
        p.put(prefix + "scram-sha-512.sasl.jaas.config", SCRAM_LOGIN + " required;");
        p.put(prefix + "plain.sasl.jaas.config", PLAIN_LOGIN + " required username=\"" + ADMIN_USER
                + "\" password=\"" + admin + "\" user_" + ADMIN_USER + "=\"" + admin + "\";");
        p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("allow.everyone.if.no.acl.found", "false");
        p.put("super.users", "User:" + ADMIN_USER + ";User:ANONYMOUS");
        return p;
    }

    /** Client properties of {@link #CLIENT_USER}: SASL_SSL, SCRAM-SHA-512, trusting the broker's certificate. */
    public Properties clientProperties() {
        return tls(CLIENT_MECHANISM, SCRAM_LOGIN, CLIENT_USER, clientPassword());
    }

    /** Client properties of the super user {@link #ADMIN_USER}. */
    public Properties adminProperties() {
        return tls("PLAIN", PLAIN_LOGIN, ADMIN_USER, secrets.getProperty(ADMIN_USER + ".password"));
    }

    private Properties tls(String mechanism, String loginModule, String user, String password) {
        Properties p = new Properties();
        p.setProperty("security.protocol", "SASL_SSL");
        p.setProperty("sasl.mechanism", mechanism);
        p.setProperty("sasl.jaas.config", loginModule + " required username=\"" + user + "\" password=\"" + password
                + "\";");
        p.setProperty("ssl.truststore.type", "PEM");
        p.setProperty("ssl.truststore.location", dir.resolve(CERTIFICATE).toString());
        return p;
    }

    private void writeClientProperties(Path file, Properties properties) throws IOException {
        writePrivate(file, properties, "Kafka client properties for the embedded broker (densenet broker --sasl-ssl)");
    }

    /** A self-signed certificate for 127.0.0.1 and localhost, in a PKCS12 keystore, and the certificate as PEM. */
    private void makeCertificate() throws IOException {
        Path keystore = dir.resolve(KEYSTORE);
        Files.deleteIfExists(keystore);
        String password = secrets.getProperty("keystore.password");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass:env", "DENSENET_STOREPASS", "-keypass:env",
                "DENSENET_STOREPASS");
        ownerOnly(keystore, "rw-------");
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass:env",
                "DENSENET_STOREPASS", "-file", dir.resolve(CERTIFICATE).toString());
    }

    /** Runs the JDK's keytool, the store password in its environment (never on a command line). */
    private void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("DENSENET_STOREPASS", secrets.getProperty("keystore.password"));
        Process p = pb.start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool " + args[0] + " failed: " + output.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
    }

    /**
     * Writes {@code properties} as {@code name=value} lines (not {@link Properties#store}, which escapes every '=' and
     * ':' of a JAAS line, so that the file reads like the README's examples), the file readable by its owner only
     * from its creation on.
     */
    private static void writePrivate(Path file, Properties properties, String comment) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file);
        ownerOnly(file, "rw-------");
        StringBuilder text = new StringBuilder("# ").append(comment).append('\n');
        for (String name : new java.util.TreeSet<>(properties.stringPropertyNames())) {
            // Properties.load reads a backslash as an escape; nothing else in these values needs one
            text.append(name).append('=').append(properties.getProperty(name).replace("\\", "\\\\")).append('\n');
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static void ownerOnly(Path path, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: left to the directory's own protection
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
