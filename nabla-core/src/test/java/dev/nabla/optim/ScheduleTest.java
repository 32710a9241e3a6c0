package dev.nabla.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The schedules' documented values, written out by hand, and their argument checks. */
class ScheduleTest {
    private static final double TOL = 1e-15;

    @Test
    void stepDecayHalvesEveryThreeEpochs() {
        LearningRateSchedule s = LearningRateSchedule.stepDecay(0.8, 3, 0.5);
        double[] expected = {0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.1};
        for (int e = 0; e < expected.length; e++) {
            assertEquals(expected[e], s.rate(e), TOL, "epoch " + e);
        }
    }

    @Test
    void exponentialMultipliesEachEpoch() {
        LearningRateSchedule s = LearningRateSchedule.exponential(2.0, 0.5);
        double[] expected = {2.0, 1.0, 0.5, 0.25, 0.125};
        for (int e = 0; e < expected.length; e++) {
            assertEquals(expected[e], s.rate(e), TOL, "epoch " + e);
        }
    }

    @Test
    void cosineGoesFromInitialToMinimumAndStays() {
        LearningRateSchedule s = LearningRateSchedule.cosine(1.0, 0.2, 4);
        assertEquals(1.0, s.rate(0), TOL);
        assertEquals(0.2 + 0.8 * (1 + Math.sqrt(0.5)) / 2, s.rate(1), TOL);
        assertEquals(0.6, s.rate(2), TOL);
        assertEquals(0.2 + 0.8 * (1 - Math.sqrt(0.5)) / 2, s.rate(3), TOL);
        assertEquals(0.2, s.rate(4), TOL);
        assertEquals(0.2, s.rate(100), TOL);
    }

    @Test
    void warmupRampsThenHandsOver() {
        LearningRateSchedule s = LearningRateSchedule.warmup(3, LearningRateSchedule.stepDecay(0.4, 2, 0.5));
        double[] expected = {0.1, 0.2, 0.3, 0.4, 0.4, 0.2, 0.2, 0.1};
        for (int e = 0; e < expected.length; e++) {
            assertEquals(expected[e], s.rate(e), TOL, "epoch " + e);
        }
        LearningRateSchedule fromZero = new LinearWarmup(4, 0, LearningRateSchedule.constant(1.0));
        double[] ramp = {0, 0.25, 0.5, 0.75, 1, 1};
        for (int e = 0; e < ramp.length; e++) {
            assertEquals(ramp[e], fromZero.rate(e), TOL, "epoch " + e);
        }
    }

    @Test
    void constantAndLambdas() {
        assertEquals(0.3, LearningRateSchedule.constant(0.3).rate(1000));
        LearningRateSchedule lambda = epoch -> 1.0 / (1 + epoch);
        assertEquals(0.25, lambda.rate(3));
    }

    @Test
    void scheduleDrivesTheOptimizer() {
        Adam adam = new Adam(java.util.List.of(dev.nabla.tensor.Tensor.zeros(2).requiresGrad(true)));
        LearningRateSchedule s = LearningRateSchedule.exponential(0.1, 0.5);
        adam.setLearningRate(s.rate(2));
        assertEquals(0.025, adam.learningRate(), TOL);
    }

    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should contain '" + part + "'");
        }
    }

    @Test
    void badArgumentsAreNamed() {
        assertMessage(() -> LearningRateSchedule.stepDecay(0.1, 0, 0.5), "StepDecay", "stepSize", "0");
        assertMessage(() -> LearningRateSchedule.stepDecay(-0.1, 2, 0.5), "initialLr", "-0.1");
        assertMessage(() -> LearningRateSchedule.exponential(0.1, -0.5), "ExponentialDecay", "gamma", "-0.5");
        assertMessage(() -> LearningRateSchedule.cosine(0.1, 0.01, -3), "CosineAnnealing", "epochs", "-3");
        assertMessage(() -> LearningRateSchedule.cosine(0.1, Double.NaN, 3), "minLr", "NaN");
        assertMessage(() -> new LinearWarmup(3, 1.5, LearningRateSchedule.constant(1)), "startFactor", "1.5");
        assertMessage(() -> new LinearWarmup(3, 0.5, null), "after");
        assertMessage(() -> LearningRateSchedule.warmup(0, LearningRateSchedule.constant(1)), "epochs", "0");
        assertMessage(() -> LearningRateSchedule.exponential(0.1, 0.5).rate(-1), "epoch", "-1");
        assertMessage(() -> LearningRateSchedule.constant(-1), "lr", "-1.0");
    }
}
