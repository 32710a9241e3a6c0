package dev.nabla.cli.report;

import dev.nabla.autograd.GraphExport;
import dev.nabla.io.AtomicFiles;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.History;
import dev.nabla.train.Model;
import dev.nabla.train.metrics.ConfusionMatrix;
import dev.nabla.train.metrics.Metrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pictures of a training run and the page that shows them, written into one directory:
 * <ul>
 *   <li>{@code loss.png}, {@code accuracy.png}: per epoch, train and validation (XChart);
 *   <li>{@code confusion_matrix.png}: counts on the test set, rows true class, columns predicted (XChart);
 *   <li>{@code misclassified.png}: up to {@value MisclassifiedGrid#MAX_IMAGES} wrong test images evenly spaced over the
 *       test set, each captioned "pred X / true Y";
 *   <li>{@code graph.mmd}, {@code graph.dot}: the computation graph of one test image through network and loss;
 *   <li>{@code report.json}: test size, correct count, confusion matrix, misclassified counts;
 *   <li>{@code report.html}: one self-contained page with all of it, the model summary, the metrics per epoch,
 *       per-class precision, recall and F1, and the graph drawn as SVG.
 * </ul>
 */
public final class TrainingReport {
    /** What was written: the files, and the counts the page shows. */
    public record Result(List<Path> files, int testSize, int correct, int misclassified, int shown) {}

    private TrainingReport() {}

    /**
     * Evaluates {@code model} on the test set ({@code x} as [N, ...], class-index labels {@code y} as [N]) and
     * writes the report files into {@code dir} (created if needed).
     */
    public static Result write(Path dir, String title, Model model, History history, Tensor x, Tensor y)
            throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Files.createDirectories(dir);
        Tensor scores = model.predict(x, 1000);
        if (scores.dim() != 2 || scores.size(1) < 2) {
            throw new IllegalArgumentException("report: needs class scores of shape [N, C] with C >= 2, the model"
                    + " gives " + Shapes.str(scores.shape()));
        }
        int n = scores.size(0);
        int classes = scores.size(1);
        ConfusionMatrix confusion = Metrics.confusionMatrix(classes);
        confusion.update(scores, y);
        int[][] matrix = confusion.matrix();
        float[] predicted = scores.argmax(1, false).toFloatArray();
        float[] labels = y.toFloatArray();
        int correct = 0;
        for (int c = 0; c < classes; c++) {
            correct += matrix[c][c];
        }

        int[] shape = x.shape();
        int rows = x.dim() >= 3 ? shape[x.dim() - 2] : 1;
        int cols = shape[x.dim() - 1];
        int perSample = n == 0 ? 0 : x.numel() / n;
        boolean images = x.dim() >= 3 && perSample == rows * cols;
        float[] pixels = images ? x.toFloatArray() : null;
        List<Integer> wrongIndices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (predicted[i] != labels[i]) {
                wrongIndices.add(i);
            }
        }
        int misclassified = wrongIndices.size();
        List<MisclassifiedGrid.Sample> wrong = new ArrayList<>();
        int shown = images ? Math.min(misclassified, MisclassifiedGrid.MAX_IMAGES) : 0;
        for (int k = 0; k < shown; k++) { // evenly spaced over the test set, which may be sorted by class
            int i = wrongIndices.get((int) ((long) k * misclassified / shown));
            float[] img = new float[perSample];
            System.arraycopy(pixels, i * perSample, img, 0, perSample);
            wrong.add(new MisclassifiedGrid.Sample(i, img, (int) predicted[i], (int) labels[i]));
        }

        Map<String, byte[]> pngs = new LinkedHashMap<>();
        if (!history.epochs().isEmpty()) {
            pngs.put("loss.png", Charts.curve(history, "loss"));
            pngs.put("accuracy.png", Charts.curve(history, "accuracy"));
        }
        pngs.put("confusion_matrix.png", Charts.confusionMatrix(matrix));
        if (!wrong.isEmpty()) {
            pngs.put("misclassified.png", MisclassifiedGrid.png(wrong, rows, cols));
        }
        GraphExport.Graph graph = n == 0 ? new GraphExport.Graph(List.of(), List.of()) : graph(model, x, y);

        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : pngs.entrySet()) {
            files.add(write(dir.resolve(e.getKey()), e.getValue()));
        }
        files.add(write(dir.resolve("graph.mmd"), graph.mermaid().getBytes(StandardCharsets.UTF_8)));
        files.add(write(dir.resolve("graph.dot"), graph.dot().getBytes(StandardCharsets.UTF_8)));
        files.add(write(dir.resolve("report.json"), json(n, correct, matrix, misclassified, wrong.size())
                .getBytes(StandardCharsets.UTF_8)));
        Html.Contents contents = new Html.Contents(title, model.summary(), history.epochs(), n, correct,
                ClassScores.of(matrix), misclassified, wrong.size(), pngs, GraphSvg.svg(graph), graph.mermaid(),
                graph.dot());
        files.add(write(dir.resolve("report.html"), Html.page(contents).getBytes(StandardCharsets.UTF_8)));
        return new Result(files, n, correct, misclassified, wrong.size());
    }

    /** The graph of the loss on the first test sample, after backward (parameters show their gradient norms). */
    static GraphExport.Graph graph(Model model, Tensor x, Tensor y) {
        boolean wasTraining = model.network().isTraining();
        model.network().eval();
        model.parameters().forEach(Tensor::zeroGrad);
        try {
            Tensor loss = model.loss().apply(model.forward(x.narrow(0, 0, 1)), y.narrow(0, 0, 1));
            loss.backward();
            return GraphExport.of(loss, model.network().namedParameters());
        } finally {
            model.parameters().forEach(Tensor::zeroGrad);
            model.network().train(wasTraining);
        }
    }

    private static String json(int n, int correct, int[][] matrix, int misclassified, int shown) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "{\"test_size\": %d, \"correct\": %d,"
                + " \"misclassified\": %d, \"misclassified_shown\": %d, \"confusion_matrix\": [", n, correct,
                misclassified, shown));
        for (int t = 0; t < matrix.length; t++) {
            sb.append(t == 0 ? "" : ", ").append('[');
            for (int p = 0; p < matrix[t].length; p++) {
                sb.append(p == 0 ? "" : ", ").append(matrix[t][p]);
            }
            sb.append(']');
        }
        return sb.append("]}\n").toString();
    }

    private static Path write(Path file, byte[] bytes) throws IOException {
        AtomicFiles.write(file, bytes);
        return file;
    }
}
