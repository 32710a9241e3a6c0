/**
 * Datasets as plain arrays: IDX files, MNIST and Fashion-MNIST, found locally or fetched and cached.
 *
 * <p>{@link dev.nabla.data.Datasets} resolves a name ({@code mnist}, {@code fashion-mnist}) or a
 * directory into a {@link dev.nabla.data.Split} of {@link dev.nabla.data.LabeledImages};
 * {@link dev.nabla.data.Idx} reads and writes the IDX files underneath. Nothing here depends on
 * tensors: converting to a tensor is the caller's one line.
 */
package dev.nabla.data;
