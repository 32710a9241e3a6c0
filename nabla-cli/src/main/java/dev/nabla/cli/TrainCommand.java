package dev.nabla.cli;

import dev.nabla.autograd.GradMode;
import dev.nabla.cli.report.TrainingReport;
import dev.nabla.data.Augment;
import dev.nabla.data.Split;
import dev.nabla.io.AtomicFiles;
import dev.nabla.kernel.Parallel;
import dev.nabla.nn.loss.Losses;
import dev.nabla.nn.loss.Reduction;
import dev.nabla.optim.LearningRateSchedule;
import dev.nabla.train.callbacks.LearningRateScheduler;
import dev.nabla.train.callbacks.TensorBoard;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.FitOptions;
import dev.nabla.train.History;
import dev.nabla.train.Model;
import dev.nabla.train.metrics.Metrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nabla train}: trains a network on a dataset, validates on its test split, reports test accuracy. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a network (default: the seed's 784-256-128-10 MLP on MNIST) and report test accuracy.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "mlp", description = "Network: mlp (the seed's 784-256-128-10) or cnn"
            + " (issue 5's Conv32-Pool-Conv64-Pool-Dense128-Dropout-Dense10; use --batch-size 64 as the issue does)"
            + " (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--augment", description = "Augment training images: random translation by up to ±2 pixels,"
            + " seeded by --seed, epoch and batch.")
    boolean augment;

    @Option(names = "--dataset", defaultValue = "mnist",
            description = "mnist, fashion-mnist, or a directory of IDX files (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}, as in the seed).")
    int batchSize;

    @Option(names = "--optimizer", defaultValue = "adam",
            description = "sgd, momentum, adam, adamw, rmsprop, adagrad (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate (default: 0.001 for Adam-like optimizers, 0.01 for SGD).")
    Double lr;

    @Option(names = "--label-smoothing", defaultValue = "0.1",
            description = "Label smoothing of the softmax cross-entropy (default: ${DEFAULT-VALUE}; 0 = none).")
    double labelSmoothing;

    @Option(names = "--schedule", defaultValue = "cosine",
            description = "Learning-rate schedule over the epochs: cosine (to 0 at --epochs) or constant (default:"
                    + " ${DEFAULT-VALUE}). Resume with the same --epochs to continue a cosine schedule exactly.")
    String schedule;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "Compute threads (default: $NABLA_THREADS, else all cores).")
    Integer threads;

    @Option(names = "--limit", description = "Train on N training images drawn at random with the seed (quick checks).")
    Integer limit;

    @Option(names = "--out", description = "Directory to save the trained model in (model.safetensors).")
    Path out;

    @Option(names = "--checkpoint", paramLabel = "DIR", description = "Write a checkpoint (weights, optimizer state,"
            + " epoch, history) after every epoch to DIR/last.safetensors, and DIR/best.safetensors when val_loss"
            + " improves; each file is replaced atomically, so a crash leaves the previous one whole.")
    Path checkpoint;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue from DIR/last.safetensors (or a checkpoint"
            + " file) up to --epochs, bit-identical to an uninterrupted run; give the same --model, --dataset,"
            + " --limit, --optimizer, --lr, --seed and --batch-size as the first run. Checkpoints continue in DIR"
            + " unless --checkpoint names another directory.")
    Path resume;

    @Option(names = "--tensorboard", paramLabel = "DIR", description = "Write TensorBoard event files to DIR/train"
            + " and DIR/validation: scalars per step and per epoch, weight and gradient histograms per epoch.")
    Path tensorboard;

    @Option(names = "--report", paramLabel = "DIR", description = "After training, write pictures and report.html to"
            + " DIR (give the --out directory to keep them beside the model): loss.png, accuracy.png,"
            + " confusion_matrix.png (test set), misclassified.png, graph.mmd, graph.dot, report.json.")
    Path report;

    @Option(names = "--metrics-json", description = "Write test accuracy and per-epoch metrics to this JSON file.")
    Path metricsJson;

    @Override
    public Integer call() throws Exception {
        if (epochs < 0 || batchSize <= 0) {
            throw new IllegalArgumentException("--epochs must be >= 0 and --batch-size > 0, got " + epochs + " and "
                    + batchSize);
        }
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        Path resumeFile = Checkpoints.resumeFile(resume);
        Split split = Data.load(dataset);
        int[] inputShape = Networks.inputShape(model, split.train().rows(), split.train().cols());
        Data.Tensors train = Data.tensors(limit == null ? split.train() : Data.sample(split.train(), limit, seed),
                inputShape);
        Data.Tensors test = Data.tensors(split.test(), inputShape);
        double rate = lr != null ? lr : Networks.defaultLearningRate(optimizer);
        Model net = Networks.byName(model).build(new Generator(seed), inputShape);
        net.compile(Networks.optimizer(optimizer, rate), Losses.softmaxCrossEntropy(labelSmoothing, Reduction.MEAN),
                Metrics.accuracy());
        LearningRateSchedule lrs = Networks.schedule(schedule, rate, epochs);
        System.out.print(net.summary());
        System.out.printf(Locale.ROOT, "optimizer: %s, learning rate %s (%s schedule), label smoothing %s, batch size %d,"
                + " seed %d, threads %d%s%n", optimizer, rate, schedule, labelSmoothing, batchSize, seed, Parallel.threads(),
                augment ? ", augmentation: translation ±2 px" : "");
        FitOptions options = FitOptions.epochs(epochs).batchSize(batchSize).seed(seed)
                .validationData(test.x(), test.y()).callbacks(new LearningRateScheduler(lrs::rate));
        if (augment) {
            options.transform(Augment.translate(2).seed(seed));
        }
        Checkpoints.configure(options, checkpoint, resumeFile);
        if (tensorboard != null) {
            options.callbacks(new TensorBoard(tensorboard));
        }
        History history = net.fit(train.x(), train.y(), options);
        int correct = correctCount(net, test);
        double accuracy = test.count() == 0 ? 0 : (double) correct / test.count();
        if (out != null) {
            Files.createDirectories(out);
            Path file = out.resolve("model.safetensors");
            net.save(file);
            System.out.println("saved: " + file);
        }
        if (metricsJson != null) {
            writeMetrics(metricsJson, accuracy, train.count(), test.count(), history);
        }
        if (report != null) {
            TrainingReport.write(report, "Nabla: " + model + " on " + dataset, net, history, test.x(), test.y());
            System.out.println("report: " + report.resolve("report.html"));
        }
        System.out.printf(Locale.ROOT, "test accuracy: %.4f (%d/%d)%n", accuracy, correct, test.count());
        return 0;
    }

    /** Test samples whose arg-max prediction equals the label. */
    static int correctCount(Model net, Data.Tensors test) {
        try (var scope = GradMode.noGrad()) {
            Tensor predicted = net.predict(test.x(), 1000).argmax(1, false);
            return (int) predicted.eq(test.y()).sum().item();
        }
    }

    static void writeMetrics(Path file, double accuracy, int trainSize, int testSize, History history)
            throws java.io.IOException {
        StringBuilder json = new StringBuilder();
        json.append(String.format(Locale.ROOT, "{\"test_accuracy\": %.6f, \"train_size\": %d, \"test_size\": %d, "
                + "\"epochs\": [", accuracy, trainSize, testSize));
        for (int i = 0; i < history.epochs().size(); i++) {
            Map<String, Double> e = history.epochs().get(i);
            json.append(i == 0 ? "" : ", ").append("{\"epoch\": ").append(i + 1);
            e.forEach((k, v) -> json.append(String.format(Locale.ROOT, ", \"%s\": %s", k,
                    Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null")));
            json.append('}');
        }
        json.append("]}\n");
        AtomicFiles.write(file, json.toString().getBytes(StandardCharsets.UTF_8));
    }
}
