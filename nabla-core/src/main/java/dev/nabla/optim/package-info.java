/**
 * Optimizers that update parameters from their gradients ({@link dev.nabla.optim.SGD}, {@link dev.nabla.optim.Adam},
 * {@link dev.nabla.optim.AdamW}, {@link dev.nabla.optim.RMSProp}, {@link dev.nabla.optim.Adagrad}, with PyTorch's
 * semantics and defaults), learning-rate schedules by epoch, and gradient clipping.
 *
 * <p>A training step in the low-level style:
 * <pre>{@code
 * Optimizer opt = new Adam(List.of(w, b), 0.01);
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     opt.setLearningRate(schedule.rate(epoch));
 *     for (Batch batch : batches) {
 *         opt.zeroGrad();
 *         Tensor loss = model(batch.x()).sub(batch.y()).square().mean();
 *         loss.backward();
 *         GradClip.byGlobalNorm(opt.params(), 1.0);
 *         opt.step();
 *     }
 * }
 * }</pre>
 */
package dev.nabla.optim;
