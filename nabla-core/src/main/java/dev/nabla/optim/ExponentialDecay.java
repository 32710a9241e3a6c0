package dev.nabla.optim;

/** Multiplies the learning rate by {@code gamma} every epoch: {@code rate(e) = initialLr · gamma^e}, as PyTorch's {@code ExponentialLR}. */
public record ExponentialDecay(double initialLr, double gamma) implements LearningRateSchedule {
    /** Checks that the rate and gamma are finite and non-negative. */
    public ExponentialDecay {
        Schedules.requireRate("ExponentialDecay", "initialLr", initialLr);
        Schedules.requireRate("ExponentialDecay", "gamma", gamma);
    }

    @Override
    public double rate(int epoch) {
        Schedules.requireEpoch("ExponentialDecay", epoch);
        return initialLr * Math.pow(gamma, epoch);
    }
}
