package dev.nabla.train.callbacks;

import dev.nabla.io.CheckpointFile;
import dev.nabla.train.Callback;
import dev.nabla.train.FitOptions;
import dev.nabla.train.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes training checkpoints ({@link CheckpointFile}) at epoch ends, as Keras's {@code ModelCheckpoint}: {@code
 * last.safetensors} in a directory every {@code n} epochs (and after the last epoch), and optionally {@code
 * best.safetensors} whenever a monitored metric improves. Each file is replaced atomically, so a crash leaves the
 * previous checkpoint whole; resume with {@code FitOptions.resumeFrom(ModelCheckpoint.lastIn(dir))}.
 *
 * <pre>{@code
 * var checkpoint = new ModelCheckpoint(dir).keepBest("val_loss");
 * FitOptions options = FitOptions.epochs(10).callbacks(checkpoint);
 * if (Files.exists(ModelCheckpoint.lastIn(dir))) {
 *     options.resumeFrom(ModelCheckpoint.lastIn(dir));
 * }
 * model.fit(x, y, options);
 * }</pre>
 */
public final class ModelCheckpoint implements Callback {
    /** The file name of the latest checkpoint. */
    public static final String LAST = "last.safetensors";
    /** The file name of the checkpoint of the best epoch. */
    public static final String BEST = "best.safetensors";

    /** Whether a smaller or a larger value of the monitored metric is better. */
    public enum Mode {
        MIN,
        MAX
    }

    private final Path dir;
    private int every = 1;
    private String monitor;
    private Mode mode;
    private Model model;
    private FitOptions options;
    private double best;
    private int bestEpoch = -1;

    /** Checkpoints into {@code dir} (created when needed) after every epoch. */
    public ModelCheckpoint(Path dir) {
        if (dir == null) {
            throw new IllegalArgumentException("ModelCheckpoint: the directory is null");
        }
        this.dir = dir;
    }

    /** The latest checkpoint file of a checkpoint directory (it may not exist yet). */
    public static Path lastIn(Path dir) {
        return dir.resolve(LAST);
    }

    /** Writes {@code last.safetensors} every {@code epochs} epochs (default 1) and after the last epoch. */
    public ModelCheckpoint every(int epochs) {
        if (epochs <= 0) {
            throw new IllegalArgumentException("ModelCheckpoint: every must be positive, got " + epochs);
        }
        this.every = epochs;
        return this;
    }

    /**
     * Also keeps {@code best.safetensors}, the checkpoint of the epoch with the best {@code monitor} so far,
     * checked every epoch; metrics whose name contains "acc" are maximised, others minimised (Keras's "auto").
     */
    public ModelCheckpoint keepBest(String monitor) {
        return keepBest(monitor, monitor.contains("acc") ? Mode.MAX : Mode.MIN);
    }

    /** Keeps {@code best.safetensors} by {@code monitor}, where {@code mode} says which direction is better. */
    public ModelCheckpoint keepBest(String monitor, Mode mode) {
        if (monitor == null || mode == null) {
            throw new IllegalArgumentException("ModelCheckpoint: monitor and mode are required");
        }
        this.monitor = monitor;
        this.mode = mode;
        return this;
    }

    /** The latest checkpoint file. */
    public Path last() {
        return lastIn(dir);
    }

    /** The best checkpoint file (written only with {@link #keepBest}). */
    public Path best() {
        return dir.resolve(BEST);
    }

    /** The epoch (from 0) of {@link #best()}, or −1; after a resume, counted over the restored history too. */
    public int bestEpoch() {
        return bestEpoch;
    }

    @Override
    public void onTrainBegin(Model m, FitOptions fitOptions) {
        this.model = m;
        this.options = fitOptions;
        this.best = Double.NaN;
        this.bestEpoch = -1;
        if (monitor != null) {
            List<Map<String, Double>> restored = m.history().epochs();
            for (int e = 0; e < restored.size(); e++) {
                Double value = restored.get(e).get(monitor);
                if (value != null && improves(value)) {
                    best = value;
                    bestEpoch = e;
                }
            }
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        boolean saveLast = (epoch + 1) % every == 0 || epoch + 1 == options.epochs();
        boolean saveBest = false;
        if (monitor != null) {
            Double value = logs.get(monitor);
            if (value == null) {
                throw new IllegalArgumentException("ModelCheckpoint: metric '" + monitor + "' is not in the logs "
                        + logs.keySet());
            }
            if (improves(value)) {
                best = value;
                bestEpoch = epoch;
                saveBest = true;
            }
        }
        if (!saveLast && !saveBest) {
            return;
        }
        // The fit adds this epoch to the history after the callbacks; the checkpoint includes it.
        List<Map<String, Double>> history = new ArrayList<>(model.history().epochs());
        history.add(logs);
        try {
            Files.createDirectories(dir);
            if (saveLast) {
                write(last(), epoch + 1, history);
            }
            if (saveBest) {
                write(best(), epoch + 1, history);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint: cannot write a checkpoint in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    private boolean improves(double value) {
        if (Double.isNaN(value)) {
            return false;
        }
        return Double.isNaN(best) || (mode == Mode.MAX ? value > best : value < best);
    }

    private void write(Path file, int epochsDone, List<Map<String, Double>> history) throws IOException {
        CheckpointFile.write(file, model.network(), model.inputShape(), model.optimizer(), epochsDone, history,
                options.resumeSettings());
    }
}
