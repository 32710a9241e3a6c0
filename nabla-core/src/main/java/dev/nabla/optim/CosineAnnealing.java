package dev.nabla.optim;

/**
 * Anneals the learning rate from {@code initialLr} to {@code minLr} along half a cosine over {@code epochs} epochs and
 * holds it at {@code minLr} afterwards: {@code rate(e) = minLr + (initialLr − minLr)·(1 + cos(π·e/epochs))/2} for
 * {@code e ≤ epochs}. This is the closed form of PyTorch's {@code CosineAnnealingLR} with {@code T_max = epochs} and
 * {@code eta_min = minLr}, which instead rises again after T_max; Keras's {@code CosineDecay} also holds the floor.
 */
public record CosineAnnealing(double initialLr, double minLr, int epochs) implements LearningRateSchedule {
    /** Checks that the rates are finite and non-negative and the length positive. */
    public CosineAnnealing {
        Schedules.requireRate("CosineAnnealing", "initialLr", initialLr);
        Schedules.requireRate("CosineAnnealing", "minLr", minLr);
        Schedules.requirePositive("CosineAnnealing", "epochs", epochs);
    }

    @Override
    public double rate(int epoch) {
        Schedules.requireEpoch("CosineAnnealing", epoch);
        if (epoch >= epochs) {
            return minLr;
        }
        return minLr + (initialLr - minLr) * (1 + Math.cos(Math.PI * epoch / epochs)) / 2;
    }
}
