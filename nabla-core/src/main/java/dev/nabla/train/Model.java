package dev.nabla.train;

import dev.nabla.autograd.GradMode;
import dev.nabla.data.DataLoader;
import dev.nabla.io.CheckpointFile;
import dev.nabla.io.ModelFile;
import dev.nabla.nn.Layers;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.loss.Loss;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.callbacks.ProgressBar;
import dev.nabla.train.metrics.Metric;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A network with Keras's training interface: {@code compile(optimizer, loss, metrics)}, {@code fit},
 * {@code evaluate}, {@code predict} and {@code summary}.
 *
 * <pre>{@code
 * Model model = Model.sequential(new Flatten(), Linear.dense(256, RELU), Linear.dense(10, SOFTMAX))
 *         .build(new Generator(42), 28, 28);
 * model.compile(params -> new Adam(params, 1e-3), Losses.categoricalCrossEntropy(), Metrics.accuracy());
 * History history = model.fit(x, y, FitOptions.epochs(10).batchSize(32).validationData(xTest, yTest));
 * }</pre>
 *
 * <p>What one training step does, written out: forward pass, loss, {@code zeroGrad}, {@code backward},
 * {@code step}; see {@link #trainStep}.
 */
public class Model {
    private final Module network;
    private int[] inputShape;
    private int[] outputShape;
    private Function<List<Tensor>, Optimizer> optimizerFactory;
    private Optimizer optimizer;
    private Loss loss;
    private List<Metric> metrics = List.of();
    private boolean stopTraining;
    private History history = new History();

    /** Wraps any module. */
    public Model(Module network) {
        this.network = network;
    }

    /** A model of layers applied in order, as Keras's {@code Sequential([...])}. */
    public static Model sequential(Module... layers) {
        return new Model(new Sequential(layers));
    }

    /** Creates the parameters for inputs of this shape (without the batch dimension); returns this. */
    public Model build(Generator generator, int... shape) {
        Shapes.validate("build", shape);
        this.outputShape = network.build(shape, generator);
        this.inputShape = shape.clone();
        if (optimizerFactory != null && optimizer == null) {
            optimizer = optimizerFactory.apply(network.parameters());
        }
        return this;
    }

    /** True once {@link #build} ran. */
    public boolean isBuilt() {
        return inputShape != null;
    }

    /** Sets how to train: an optimizer made from the parameters once they exist, a loss, and metrics to report. */
    public Model compile(Function<List<Tensor>, Optimizer> optimizer, Loss loss, Metric... metrics) {
        if (optimizer == null || loss == null) {
            throw new IllegalArgumentException("compile: optimizer and loss are required");
        }
        this.optimizerFactory = optimizer;
        this.optimizer = isBuilt() ? optimizer.apply(network.parameters()) : null;
        this.loss = loss;
        this.metrics = List.of(metrics);
        return this;
    }

    /** The wrapped network. */
    public Module network() {
        return network;
    }

    /** The optimizer (null before compile and build). */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The loss set by compile. */
    public Loss loss() {
        return loss;
    }

    /** The metrics set by compile. */
    public List<Metric> metrics() {
        return metrics;
    }

    /** The input shape without batch dimension (null before build). */
    public int[] inputShape() {
        return inputShape == null ? null : inputShape.clone();
    }

    /** All trainable parameters. */
    public List<Tensor> parameters() {
        return network.parameters();
    }

    /**
     * The history of the current (or last) {@link #fit}: during training the completed epochs, including those
     * restored from a checkpoint.
     */
    public History history() {
        return history;
    }

    /** Asks {@link #fit} to stop after the current epoch (early stopping). */
    public void stopTraining() {
        this.stopTraining = true;
    }

    /** Runs the network on a batch (training mode as currently set). */
    public Tensor forward(Tensor x) {
        return network.forward(x);
    }

    /**
     * One optimisation step on a batch: forward, loss, zero the gradients, backward, update. Returns the loss and
     * the (detached) predictions for the metrics.
     */
    public Tensor[] trainStep(Tensor x, Tensor y) {
        Tensor prediction = network.forward(x);
        Tensor value = loss.apply(prediction, y);
        optimizer.zeroGrad();
        value.backward();
        optimizer.step();
        return new Tensor[] {value.detach(), prediction.detach()};
    }

    /** Trains for {@code options.epochs()} epochs; returns each epoch's loss and metrics. */
    public History fit(Tensor x, Tensor y, FitOptions options) {
        requireCompiled("fit");
        checkData("fit", x, y);
        if (!isBuilt()) {
            build(new Generator(0), Arrays.copyOfRange(x.shape(), 1, x.dim()));
        }
        Tensor trainX = x;
        Tensor trainY = y;
        Tensor valX = options.validationX;
        Tensor valY = options.validationY;
        if (options.validationSplit > 0 && valX == null) {
            int n = x.size(0);
            int held = (int) Math.round(n * options.validationSplit);
            trainX = x.narrow(0, 0, n - held);
            trainY = y.narrow(0, 0, n - held);
            valX = x.narrow(0, n - held, held);
            valY = y.narrow(0, n - held, held);
        }
        if (valX != null) {
            checkData("fit (validation data)", valX, valY);
        }
        DataLoader.Builder lb = DataLoader.of(trainX, trainY).batchSize(options.batchSize).prefetch(options.prefetch)
                .transform(options.transform);
        if (options.shuffle) {
            lb.shuffle(options.seed);
        }
        DataLoader loader = lb.build();
        List<Callback> callbacks = new ArrayList<>();
        if (options.verbose > 0) {
            callbacks.add(new ProgressBar());
        }
        callbacks.addAll(options.callbacks);
        History history = new History();
        int firstEpoch = options.resumeFrom == null ? options.initialEpoch : resume(options, history);
        this.history = history;
        stopTraining = false;
        callbacks.forEach(c -> c.onTrainBegin(this, options));
        for (int epoch = firstEpoch; epoch < options.epochs && !stopTraining; epoch++) {
            final int e = epoch;
            callbacks.forEach(c -> c.onEpochBegin(e, options.epochs, loader.batches()));
            long start = System.nanoTime();
            network.train(true);
            metrics.forEach(Metric::reset);
            double lossSum = 0;
            int seen = 0;
            for (DataLoader.Batch batch : loader.epoch(epoch)) {
                Tensor[] step = trainStep(batch.x(), batch.y());
                int n = batch.x().size(0);
                lossSum += step[0].item() * n;
                seen += n;
                try (var scope = GradMode.noGrad()) {
                    for (Metric m : metrics) {
                        m.update(step[1], batch.y());
                    }
                }
                Map<String, Double> running = logs(lossSum / seen);
                int index = batch.index();
                callbacks.forEach(c -> c.onBatchEnd(index, running));
            }
            Map<String, Double> logs = logs(seen == 0 ? Double.NaN : lossSum / seen);
            if (valX != null) {
                evaluate(valX, valY, options.batchSize).forEach((k, v) -> logs.put("val_" + k, v));
            }
            logs.put("seconds", (System.nanoTime() - start) / 1e9);
            if (optimizer != null) {
                logs.put("lr", optimizer.learningRate());
            }
            callbacks.forEach(c -> c.onEpochEnd(e, logs));
            history.add(logs);
        }
        callbacks.forEach(c -> c.onTrainEnd(history));
        return history;
    }

    /** Restores the checkpoint of {@code options.resumeFrom} into this model and history; returns its epoch. */
    private int resume(FitOptions options, History history) {
        CheckpointFile.Contents c;
        try {
            c = CheckpointFile.restore(options.resumeFrom, network, inputShape, optimizer, options.resumeSettings());
        } catch (IOException e) {
            throw new UncheckedIOException("fit: cannot resume: " + e.getMessage(), e);
        }
        c.history().forEach(history::add);
        return c.epoch();
    }

    private Map<String, Double> logs(double meanLoss) {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", meanLoss);
        for (Metric m : metrics) {
            logs.put(m.name(), m.result());
        }
        return logs;
    }

    /** Loss and metrics on data, in evaluation mode, without recording gradients. */
    public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize) {
        requireCompiled("evaluate");
        checkData("evaluate", x, y);
        boolean wasTraining = network.isTraining();
        network.eval();
        metrics.forEach(Metric::reset);
        double lossSum = 0;
        int seen = 0;
        try (var scope = GradMode.noGrad()) {
            for (DataLoader.Batch batch : DataLoader.of(x, y).batchSize(batchSize).build().epoch(0)) {
                Tensor prediction = network.forward(batch.x());
                int n = batch.x().size(0);
                lossSum += loss.apply(prediction, batch.y()).item() * n;
                seen += n;
                for (Metric m : metrics) {
                    m.update(prediction, batch.y());
                }
            }
        } finally {
            network.train(wasTraining);
        }
        return logs(seen == 0 ? Double.NaN : lossSum / seen);
    }

    /** The network's outputs for every sample, computed in batches in evaluation mode. */
    public Tensor predict(Tensor x, int batchSize) {
        if (!isBuilt()) {
            throw new IllegalStateException("predict: the model is not built; call build(generator, inputShape) or fit");
        }
        checkInput("predict", x);
        boolean wasTraining = network.isTraining();
        network.eval();
        List<Tensor> parts = new ArrayList<>();
        try (var scope = GradMode.noGrad()) {
            int n = x.size(0);
            for (int from = 0; from < n; from += batchSize) {
                parts.add(network.forward(x.narrow(0, from, Math.min(batchSize, n - from))));
            }
        } finally {
            network.train(wasTraining);
        }
        if (parts.isEmpty()) {
            int[] shape = new int[outputShape.length + 1];
            System.arraycopy(outputShape, 0, shape, 1, outputShape.length);
            return Tensor.zeros(shape);
        }
        return parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(Tensor[]::new));
    }

    private void requireCompiled(String op) {
        if (loss == null) {
            throw new IllegalStateException(op + ": compile(optimizer, loss, metrics) the model first");
        }
    }

    private void checkInput(String op, Tensor x) {
        if (isBuilt()) {
            int[] sample = Arrays.copyOfRange(x.shape(), 1, Math.max(1, x.dim()));
            if (x.dim() == 0 || !Arrays.equals(sample, inputShape)) {
                throw new IllegalArgumentException(op + ": the model takes samples of shape " + Shapes.str(inputShape)
                        + ", got data of shape " + Shapes.str(x.shape()) + " (first dimension = samples)");
            }
        }
    }

    private void checkData(String op, Tensor x, Tensor y) {
        if (x == null || y == null) {
            throw new IllegalArgumentException(op + ": inputs and targets are required");
        }
        if (x.dim() == 0 || y.dim() == 0 || x.size(0) != y.size(0)) {
            throw new IllegalArgumentException(op + ": " + (x.dim() == 0 ? 0 : x.size(0)) + " inputs "
                    + Shapes.str(x.shape()) + " but " + (y.dim() == 0 ? 0 : y.size(0)) + " targets "
                    + Shapes.str(y.shape()));
        }
        checkInput(op, x);
    }

    /**
     * Saves the architecture, input shape and weights in one safetensors file ({@link ModelFile}), replacing any
     * file at {@code file} atomically. The optimizer, loss and metrics are not saved.
     */
    public void save(Path file) throws IOException {
        if (!isBuilt()) {
            throw new IllegalStateException("save: the model is not built; call build(generator, inputShape) or fit");
        }
        ModelFile.save(file, network, inputShape);
    }

    /** Loads a model saved by {@link #save}: built, with its weights, not compiled. */
    public static Model load(Path file) throws IOException {
        return load(file, Layers.builtin());
    }

    /** Loads a model whose layers include types outside this library, registered in {@code layers}. */
    public static Model load(Path file, Layers layers) throws IOException {
        ModelFile.Loaded loaded = ModelFile.load(file, layers);
        Model model = new Model(loaded.network());
        model.inputShape = loaded.inputShape();
        model.outputShape = loaded.outputShape();
        return model;
    }

    /** The Keras-style table of layers, output shapes and parameter counts. */
    public String summary() {
        if (!isBuilt()) {
            throw new IllegalStateException("summary: the model is not built; call build(generator, inputShape)");
        }
        return Summary.of(network, inputShape);
    }
}
