package dev.nabla.train;

import dev.nabla.data.IdxDirectory;
import dev.nabla.data.LabeledImages;
import dev.nabla.nn.Activation;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.loss.Losses;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.callbacks.ModelCheckpoint;
import dev.nabla.train.metrics.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The training process {@link CrashResumeTest} kills: trains a small MLP on the MNIST sample with a checkpoint after
 * every epoch, resuming from the checkpoint directory when it holds one, and saves the final model.
 *
 * <p>Arguments: data directory, checkpoint directory, epochs, final model file, and optionally the epoch in which to
 * stall after batch 10 (printing {@code MID-EPOCH}) so the test can kill it there.
 */
public final class CrashResumeChild {
    /** The line printed just before stalling mid-epoch. */
    static final String MID_EPOCH = "MID-EPOCH";
    /** The line printed after saving the final model. */
    static final String DONE = "DONE";

    private CrashResumeChild() {}

    public static void main(String[] args) throws Exception {
        LabeledImages train = IdxDirectory.load(Path.of(args[0]), "mnist-small").train();
        Path dir = Path.of(args[1]);
        int epochs = Integer.parseInt(args[2]);
        Path out = Path.of(args[3]);
        int stallEpoch = args.length > 4 ? Integer.parseInt(args[4]) : -1;

        float[] labels = new float[train.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = train.labels()[i];
        }
        Tensor x = Tensor.fromArray(train.pixelsAsFloats(), train.count(), train.rows(), train.cols());
        Tensor y = Tensor.fromArray(labels, labels.length);

        Model model = Model.sequential(new Flatten(), new ModelCheckpointTest.Noise(),
                        Linear.dense(64, Activation.RELU), Linear.dense(10))
                .build(new Generator(42), train.rows(), train.cols())
                .compile(p -> new Adam(p, 1e-3), Losses.softmaxCrossEntropy(), Metrics.accuracy());
        Callback stall = new Callback() {
            private int epoch;

            @Override
            public void onEpochBegin(int e, int total, int steps) {
                epoch = e;
            }

            @Override
            public void onBatchEnd(int step, Map<String, Double> logs) {
                if (epoch == stallEpoch && step == 10) {
                    System.out.println(MID_EPOCH);
                    System.out.flush();
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        ModelCheckpoint checkpoint = new ModelCheckpoint(dir);
        FitOptions options = FitOptions.epochs(epochs).batchSize(32).seed(42).verbose(0).callbacks(checkpoint, stall);
        if (Files.exists(checkpoint.last())) {
            options.resumeFrom(checkpoint.last());
        }
        History history = model.fit(x, y, options);
        System.out.println("LOSSES " + history.get("loss"));
        model.save(out);
        System.out.println(DONE);
    }
}
