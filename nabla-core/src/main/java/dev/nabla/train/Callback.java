package dev.nabla.train;

import java.util.Map;

/**
 * Hooks into {@link Model#fit}: progress output, early stopping, schedules, logging, checkpoints.
 *
 * <p>{@code logs} maps metric names ("loss", "accuracy", "val_loss", ...) to values, in Keras's naming. Epochs are
 * counted from 0 here and printed from 1, as Keras does.
 */
public interface Callback {
    /** Before the first epoch. */
    default void onTrainBegin(Model model, FitOptions options) {}

    /** Before each epoch. */
    default void onEpochBegin(int epoch, int epochs, int steps) {}

    /** After each training step, with the running means of this epoch so far. */
    default void onBatchEnd(int step, Map<String, Double> logs) {}

    /** After each epoch (validation included). */
    default void onEpochEnd(int epoch, Map<String, Double> logs) {}

    /** After the last epoch, or when training stopped early. */
    default void onTrainEnd(History history) {}
}
