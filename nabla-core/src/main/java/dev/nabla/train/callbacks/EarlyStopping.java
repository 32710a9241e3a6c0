package dev.nabla.train.callbacks;

import dev.nabla.tensor.Tensor;
import dev.nabla.train.Callback;
import dev.nabla.train.FitOptions;
import dev.nabla.train.History;
import dev.nabla.train.Model;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stops training when a monitored metric has not improved for {@code patience} epochs (Keras semantics), and can
 * put back the weights of the best epoch.
 */
public final class EarlyStopping implements Callback {
    private final String monitor;
    private final int patience;
    private final double minDelta;
    private final boolean restoreBestWeights;
    private final boolean maximize;
    private Model model;
    private double best;
    private int wait;
    private int bestEpoch = -1;
    private int stoppedEpoch = -1;
    private Map<String, Tensor> bestWeights;

    /**
     * Watches {@code monitor} (e.g. "val_loss"; metrics containing "acc" are maximised, others minimised), waits
     * {@code patience} epochs without an improvement of more than {@code minDelta}.
     */
    public EarlyStopping(String monitor, int patience, double minDelta, boolean restoreBestWeights) {
        if (patience < 0 || minDelta < 0) {
            throw new IllegalArgumentException("EarlyStopping: patience " + patience + " and minDelta " + minDelta
                    + " must be >= 0");
        }
        this.monitor = monitor;
        this.patience = patience;
        this.minDelta = minDelta;
        this.restoreBestWeights = restoreBestWeights;
        this.maximize = monitor.contains("acc");
    }

    @Override
    public void onTrainBegin(Model m, FitOptions options) {
        this.model = m;
        this.best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        this.wait = 0;
        this.bestEpoch = -1;
        this.stoppedEpoch = -1;
        this.bestWeights = null;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Double value = logs.get(monitor);
        if (value == null) {
            throw new IllegalArgumentException("EarlyStopping: metric '" + monitor + "' is not in the logs "
                    + logs.keySet());
        }
        boolean improved = maximize ? value > best + minDelta : value < best - minDelta;
        if (improved) {
            best = value;
            bestEpoch = epoch;
            wait = 0;
            if (restoreBestWeights) {
                bestWeights = snapshot();
            }
        } else if (++wait > patience) {
            stoppedEpoch = epoch;
            model.stopTraining();
        }
    }

    @Override
    public void onTrainEnd(History history) {
        if (restoreBestWeights && bestWeights != null && stoppedEpoch >= 0) {
            model.network().loadStateDict(bestWeights, true);
        }
    }

    private Map<String, Tensor> snapshot() {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        model.network().stateDict().forEach((k, v) -> copy.put(k, v.detach().to(v.dtype()).mul(1)));
        return copy;
    }

    /** The epoch (from 0) with the best monitored value, or −1. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The epoch (from 0) after which training stopped, or −1 if it ran to the end. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }
}
