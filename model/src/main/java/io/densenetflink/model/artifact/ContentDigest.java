package io.densenetflink.model.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a model computes, as one SHA-256: the model.json fields that decide its answers (architecture, labels,
 * preprocessing, precision, the files' names) and the bytes of its weight or graph files. Not its name, version,
 * provenance or metrics, which {@code publish} rewrites. Recorded in model.json as {@code content_digest} by the
 * commands that write a model, checked at every load, and kept with the version number in a job's checkpoints,
 * so that a version number reused for other files is never taken for the model a checkpoint served.
 */
public final class ContentDigest {

    static final String PREFIX = "sha256:";
    static final Pattern FORMAT = Pattern.compile("sha256:[0-9a-f]{64}");

    private ContentDigest() {}

    /** The digest of {@code computing} (the fields that decide the answers) and {@code files}, in that order. */
    static String of(String computing, Path dir, List<String> files) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        update(sha, computing.getBytes(StandardCharsets.UTF_8));
        byte[] buffer = new byte[1 << 16];
        for (String name : files) {
            Path file = dir.resolve(name);
            update(sha, name.getBytes(StandardCharsets.UTF_8));
            sha.update(Long.toString(Files.size(file)).getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) 0);
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                }
            }
        }
        return PREFIX + HexFormat.of().formatHex(sha.digest());
    }

    /** Length-prefixed, so that no two sequences of parts hash alike. */
    private static void update(MessageDigest sha, byte[] part) {
        sha.update(Integer.toString(part.length).getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) 0);
        sha.update(part);
    }
}
