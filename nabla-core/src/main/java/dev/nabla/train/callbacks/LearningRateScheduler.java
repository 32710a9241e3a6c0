package dev.nabla.train.callbacks;

import dev.nabla.train.Callback;
import dev.nabla.train.FitOptions;
import dev.nabla.train.Model;
import java.util.function.IntToDoubleFunction;

/** Sets the optimizer's learning rate at the start of each epoch from a schedule (epoch counted from 0). */
public final class LearningRateScheduler implements Callback {
    private final IntToDoubleFunction schedule;
    private Model model;

    /** Uses {@code schedule.applyAsDouble(epoch)} as the learning rate of that epoch. */
    public LearningRateScheduler(IntToDoubleFunction schedule) {
        this.schedule = schedule;
    }

    @Override
    public void onTrainBegin(Model m, FitOptions options) {
        this.model = m;
    }

    @Override
    public void onEpochBegin(int epoch, int epochs, int steps) {
        double lr = schedule.applyAsDouble(epoch);
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("LearningRateScheduler: schedule gave learning rate " + lr
                    + " for epoch " + epoch);
        }
        model.optimizer().setLearningRate(lr);
    }
}
