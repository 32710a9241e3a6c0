package dev.nabla.optim;

/**
 * Ramps the learning rate linearly for {@code epochs} epochs before handing over to another schedule, which avoids
 * large early steps while Adam's moment estimates and batch statistics settle.
 *
 * <p>For {@code e < epochs}: {@code rate(e) = after.rate(0) · (startFactor + (1 − startFactor)·e/epochs)} (PyTorch's
 * {@code LinearLR}); from then on {@code rate(e) = after.rate(e − epochs)}, so the wrapped schedule starts at its own
 * epoch 0 when the warm-up ends (PyTorch's {@code SequentialLR}).
 */
public record LinearWarmup(int epochs, double startFactor, LearningRateSchedule after) implements LearningRateSchedule {
    /** Checks the length, that the start factor lies in [0, 1], and that there is a schedule to follow. */
    public LinearWarmup {
        Schedules.requirePositive("LinearWarmup", "epochs", epochs);
        if (!(startFactor >= 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("LinearWarmup: startFactor must be in [0, 1], got " + startFactor);
        }
        if (after == null) {
            throw new IllegalArgumentException("LinearWarmup: after is null; pass the schedule that follows the warm-up");
        }
    }

    @Override
    public double rate(int epoch) {
        Schedules.requireEpoch("LinearWarmup", epoch);
        if (epoch >= epochs) {
            return after.rate(epoch - epochs);
        }
        return after.rate(0) * (startFactor + (1 - startFactor) * epoch / epochs);
    }
}
