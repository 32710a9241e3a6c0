package dev.nabla.train;

import dev.nabla.data.DataLoader;
import dev.nabla.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The settings of {@link Model#fit}, Keras's keyword arguments as a builder:
 * {@code FitOptions.epochs(10).batchSize(32).validationData(xTest, yTest)}.
 */
public final class FitOptions {
    int epochs = 1;
    int initialEpoch;
    int batchSize = 32;
    Tensor validationX;
    Tensor validationY;
    double validationSplit;
    boolean shuffle = true;
    long seed;
    int prefetch = 2;
    UnaryOperator<DataLoader.Batch> transform;
    int verbose = 1;
    final List<Callback> callbacks = new ArrayList<>();
    Path resumeFrom;

    private FitOptions() {}

    /** Starts the settings with a number of epochs. */
    public static FitOptions epochs(int epochs) {
        FitOptions o = new FitOptions();
        if (epochs < 0) {
            throw new IllegalArgumentException("fit: epochs must be >= 0, got " + epochs);
        }
        o.epochs = epochs;
        return o;
    }

    /** Samples per training step (default 32, as in Keras and the seed). */
    public FitOptions batchSize(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("fit: batch size must be positive, got " + size);
        }
        this.batchSize = size;
        return this;
    }

    /** Data evaluated after each epoch, reported as val_loss, val_accuracy, ... */
    public FitOptions validationData(Tensor x, Tensor y) {
        this.validationX = x;
        this.validationY = y;
        return this;
    }

    /** Holds out the last fraction of the training data for validation (as Keras, before shuffling). */
    public FitOptions validationSplit(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("fit: validation split must be in [0, 1), got " + fraction);
        }
        this.validationSplit = fraction;
        return this;
    }

    /** Whether to shuffle the training data each epoch (default true). */
    public FitOptions shuffle(boolean on) {
        this.shuffle = on;
        return this;
    }

    /** Seed of the per-epoch shuffle order (default 0). */
    public FitOptions seed(long shuffleSeed) {
        this.seed = shuffleSeed;
        return this;
    }

    /** Epoch to start from (for resuming): epochs run from initialEpoch to epochs − 1. */
    public FitOptions initialEpoch(int epoch) {
        this.initialEpoch = epoch;
        return this;
    }

    /**
     * Continues training from a checkpoint file ({@link dev.nabla.train.callbacks.ModelCheckpoint}): restores the
     * weights, optimizer state, generator states and history, and starts at the epoch after the last one it holds
     * (instead of {@link #initialEpoch}). The data, seed and batch size must be those of the run that wrote it.
     */
    public FitOptions resumeFrom(Path checkpoint) {
        this.resumeFrom = checkpoint;
        return this;
    }

    /** Batches assembled ahead on a background thread (default 2; 0 = none). */
    public FitOptions prefetch(int batches) {
        this.prefetch = batches;
        return this;
    }

    /**
     * A transformation of each training batch, such as {@link dev.nabla.data.Augment} (default none); it runs on
     * the loader's background thread and should depend only on the batch (its epoch and index give a seed).
     */
    public FitOptions transform(UnaryOperator<DataLoader.Batch> fn) {
        this.transform = fn;
        return this;
    }

    /** 0 = silent, 1 = progress bar (default). */
    public FitOptions verbose(int level) {
        this.verbose = level;
        return this;
    }

    /** Adds callbacks, called in order. */
    public FitOptions callbacks(Callback... more) {
        this.callbacks.addAll(List.of(more));
        return this;
    }

    /** The number of epochs. */
    public int epochs() {
        return epochs;
    }

    /**
     * The settings a resumed run must repeat to continue bit for bit, as checkpoints record them: "seed",
     * "batch_size", "shuffle".
     */
    public Map<String, Object> resumeSettings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("seed", seed);
        s.put("batch_size", (long) batchSize);
        s.put("shuffle", shuffle);
        return s;
    }

    /** The batch size. */
    public int batchSize() {
        return batchSize;
    }
}
