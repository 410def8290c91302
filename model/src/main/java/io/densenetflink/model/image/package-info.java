/**
 * Encoded image bytes (or raw pixels) to normalised CHW float tensors for the classifier, with bounded memory and
 * every failure reported as an {@link io.densenetflink.model.image.ImageDecodeException} carrying an
 * {@link io.densenetflink.model.image.ImageErrorReason}.
 *
 * <p>Entry point: {@link io.densenetflink.model.image.ImagePreprocessor}, configured by
 * {@link io.densenetflink.model.image.Preprocessing}.
 */
package io.densenetflink.model.image;
