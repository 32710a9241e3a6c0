package dev.nabla.optim;

/**
 * The learning rate as a function of the epoch (counted from 0), in the style of Keras's
 * {@code LearningRateScheduler}: a training loop sets {@code optimizer.setLearningRate(schedule.rate(epoch))} at the
 * start of each epoch. A schedule is a pure function, so resuming at epoch k needs no schedule state; any lambda
 * {@code epoch -> ...} is one.
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /** The learning rate for {@code epoch} (0 for the first). */
    double rate(int epoch);

    /** The same rate every epoch. */
    static LearningRateSchedule constant(double lr) {
        Schedules.requireRate("constant", "lr", lr);
        return epoch -> lr;
    }

    /** {@code initialLr · gamma^⌊epoch / stepSize⌋}: multiplies by gamma every {@code stepSize} epochs (PyTorch's StepLR). */
    static LearningRateSchedule stepDecay(double initialLr, int stepSize, double gamma) {
        return new StepDecay(initialLr, stepSize, gamma);
    }

    /** {@code initialLr · gamma^epoch} (PyTorch's ExponentialLR). */
    static LearningRateSchedule exponential(double initialLr, double gamma) {
        return new ExponentialDecay(initialLr, gamma);
    }

    /** From {@code initialLr} down to {@code minLr} along half a cosine over {@code epochs} epochs, then minLr. */
    static LearningRateSchedule cosine(double initialLr, double minLr, int epochs) {
        return new CosineAnnealing(initialLr, minLr, epochs);
    }

    /**
     * A linear ramp over {@code epochs} epochs up to {@code after.rate(0)}, then {@code after} shifted to start where
     * the warm-up ends; the ramp's rates are {@code after.rate(0) · (e + 1)/(epochs + 1)} for epochs e.
     */
    static LearningRateSchedule warmup(int epochs, LearningRateSchedule after) {
        return new LinearWarmup(epochs, 1.0 / (epochs + 1), after);
    }
}
