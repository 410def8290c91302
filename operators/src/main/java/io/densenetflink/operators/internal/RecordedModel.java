package io.densenetflink.operators.internal;

/**
 * The model version a checkpoint recorded for a slot, with the digest of what that version computed then ("" when
 * the version's files recorded none, or the checkpoint was written before digests were kept).
 */
public record RecordedModel(long version, String digest) {

    /** Nothing recorded: a fresh start. */
    public static final RecordedModel NONE = new RecordedModel(0, "");

    public RecordedModel {
        digest = digest == null ? "" : digest;
    }

    /**
     * Whether a model whose files now record {@code current} is the one recorded: yes when the checkpoint
     * recorded no digest (nothing to compare), else only the same digest.
     */
    boolean matches(String current) {
        return digest.isEmpty() || digest.equals(current);
    }
}
