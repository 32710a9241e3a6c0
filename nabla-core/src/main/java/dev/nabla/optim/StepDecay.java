package dev.nabla.optim;

/**
 * Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs:
 * {@code rate(e) = initialLr · gamma^⌊e / stepSize⌋}, as PyTorch's {@code StepLR}.
 */
public record StepDecay(double initialLr, int stepSize, double gamma) implements LearningRateSchedule {
    /** Checks that the rates are finite and non-negative and the step size positive. */
    public StepDecay {
        Schedules.requireRate("StepDecay", "initialLr", initialLr);
        Schedules.requirePositive("StepDecay", "stepSize", stepSize);
        Schedules.requireRate("StepDecay", "gamma", gamma);
    }

    @Override
    public double rate(int epoch) {
        Schedules.requireEpoch("StepDecay", epoch);
        return initialLr * Math.pow(gamma, epoch / stepSize);
    }
}
