package io.densenetflink.job.kafka.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** UTF-8 conversions between Kafka record headers and strings. Internal to the Kafka package. */
public final class HeaderText {

    private HeaderText() {}

    /** The header's value as UTF-8 text; {@code ""} for a null value. */
    public static String text(Header header) {
        return header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The last header named {@code name} as text, or null when there is none. */
    public static String last(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : text(h);
    }

    /** Every header as text, in record order; for a repeated name the last value wins. */
    public static Map<String, String> toMap(Headers headers) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Header h : headers) {
            out.put(h.key(), text(h));
        }
        return out;
    }

    /** Adds a UTF-8 header. */
    public static void add(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
