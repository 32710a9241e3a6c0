package dev.nabla.train.callbacks;

import dev.nabla.io.tensorboard.EventWriter;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.Callback;
import dev.nabla.train.FitOptions;
import dev.nabla.train.History;
import dev.nabla.train.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * Writes TensorBoard event files while training, in Keras's layout: {@code logDir/train} and
 * {@code logDir/validation}, each an event-file directory that TensorBoard shows as one run.
 *
 * <ul>
 *   <li>every {@code updateFreq} steps, into {@code train}: {@code batch_loss}, {@code batch_accuracy}, ... (the
 *       running means of the epoch so far), at the global step {@code epoch · stepsPerEpoch + step};
 *   <li>after each epoch, at step {@code epoch}: {@code epoch_loss}, {@code epoch_accuracy}, ... into
 *       {@code train}; {@code val_loss}, {@code val_accuracy}, ... as {@code epoch_loss}, {@code epoch_accuracy}
 *       into {@code validation}; the learning rate as {@code epoch_learning_rate} into {@code train};
 *   <li>after each epoch, into {@code train}: a histogram of every parameter ({@code weights/<name>}) and of its
 *       gradient from the epoch's last step ({@code gradients/<name>}), names as in
 *       {@code model.network().namedParameters()}.
 * </ul>
 *
 * <p>Files are flushed after each epoch and closed when training ends.
 */
public final class TensorBoard implements Callback {
    private final Path logDir;
    private final int updateFreq;
    private final boolean histograms;
    private final Clock clock;
    private Model model;
    private EventWriter train;
    private EventWriter validation;
    private long epochStartStep;

    /** Logs to {@code logDir}, batch scalars every step, with histograms. */
    public TensorBoard(Path logDir) {
        this(logDir, 1, true);
    }

    /**
     * Logs to {@code logDir}; batch scalars every {@code updateFreq} steps (0: per epoch only); parameter and
     * gradient histograms per epoch when {@code histograms}.
     */
    public TensorBoard(Path logDir, int updateFreq, boolean histograms) {
        this(logDir, updateFreq, histograms, Clock.systemUTC());
    }

    /** As {@link #TensorBoard(Path, int, boolean)}, with wall times from {@code clock}. */
    public TensorBoard(Path logDir, int updateFreq, boolean histograms, Clock clock) {
        if (updateFreq < 0) {
            throw new IllegalArgumentException("TensorBoard: updateFreq " + updateFreq
                    + " must be >= 0 (0 logs per epoch only)");
        }
        this.logDir = logDir;
        this.updateFreq = updateFreq;
        this.histograms = histograms;
        this.clock = clock;
    }

    @Override
    public void onTrainBegin(Model m, FitOptions options) {
        this.model = m;
        closeWriters();
        train = null;
        validation = null;
    }

    @Override
    public void onEpochBegin(int epoch, int epochs, int steps) {
        epochStartStep = (long) epoch * steps;
    }

    @Override
    public void onBatchEnd(int step, Map<String, Double> logs) {
        if (updateFreq == 0 || (step + 1) % updateFreq != 0) {
            return;
        }
        long globalStep = epochStartStep + step;
        try {
            EventWriter w = train();
            for (Map.Entry<String, Double> e : logs.entrySet()) {
                if (!e.getKey().startsWith("val_") && !e.getKey().equals("seconds") && !e.getKey().equals("lr")) {
                    w.addScalar("batch_" + e.getKey(), e.getValue(), globalStep);
                }
            }
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        try {
            for (Map.Entry<String, Double> e : logs.entrySet()) {
                String key = e.getKey();
                if (key.equals("seconds")) {
                    continue;
                }
                if (key.equals("lr")) {
                    train().addScalar("epoch_learning_rate", e.getValue(), epoch);
                } else if (key.startsWith("val_")) {
                    validation().addScalar("epoch_" + key.substring(4), e.getValue(), epoch);
                } else {
                    train().addScalar("epoch_" + key, e.getValue(), epoch);
                }
            }
            if (histograms && model != null) {
                for (Map.Entry<String, Tensor> p : model.network().namedParameters().entrySet()) {
                    train().addHistogram("weights/" + p.getKey(), p.getValue(), epoch);
                    Tensor grad = p.getValue().grad();
                    if (grad != null) {
                        train().addHistogram("gradients/" + p.getKey(), grad, epoch);
                    }
                }
            }
            if (train != null) {
                train.flush();
            }
            if (validation != null) {
                validation.flush();
            }
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public void onTrainEnd(History history) {
        closeWriters();
    }

    private EventWriter train() throws IOException {
        if (train == null) {
            train = new EventWriter(logDir.resolve("train"), clock);
        }
        return train;
    }

    private EventWriter validation() throws IOException {
        if (validation == null) {
            validation = new EventWriter(logDir.resolve("validation"), clock);
        }
        return validation;
    }

    private void closeWriters() {
        try {
            if (train != null) {
                train.close();
            }
            if (validation != null) {
                validation.close();
            }
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private UncheckedIOException failed(IOException e) {
        return new UncheckedIOException("TensorBoard: cannot write event files in " + logDir + ": " + e.getMessage(),
                e);
    }
}
