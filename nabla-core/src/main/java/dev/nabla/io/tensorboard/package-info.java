/**
 * TensorBoard event files written from scratch: the TFRecord framing with masked CRC-32C ({@link
 * dev.nabla.io.tensorboard.TfRecord}, {@link dev.nabla.io.tensorboard.Crc32c}), hand-encoded {@code Event} and
 * {@code Summary} messages, scalars and histograms ({@link dev.nabla.io.tensorboard.EventWriter}).
 */
package dev.nabla.io.tensorboard;
