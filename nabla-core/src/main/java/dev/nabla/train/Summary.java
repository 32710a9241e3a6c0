package dev.nabla.train;

import dev.nabla.autograd.GradMode;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders Keras's {@code model.summary()} table: layer (type), output shape with None for the batch, parameters. */
final class Summary {
    private static final String RULE = "_".repeat(65);
    private static final String DOUBLE_RULE = "=".repeat(65);

    private Summary() {}

    static String of(Module network, int[] inputShape) {
        List<Module> layers = network instanceof Sequential s ? s.layers() : List.of(network);
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(network instanceof Sequential ? "sequential" : network.typeName().toLowerCase(Locale.ROOT))
                .append("\"\n").append(RULE).append('\n');
        sb.append(row("Layer (type)", "Output Shape", "Param #")).append(DOUBLE_RULE).append('\n');
        int[] batched = new int[inputShape.length + 1];
        batched[0] = 1;
        System.arraycopy(inputShape, 0, batched, 1, inputShape.length);
        long total = 0;
        List<String> rows = new ArrayList<>();
        try (var scope = GradMode.noGrad()) {
            boolean wasTraining = network.isTraining();
            network.eval();
            Tensor x = Tensor.zeros(batched);
            for (int i = 0; i < layers.size(); i++) {
                Module m = layers.get(i);
                x = m.forward(x);
                long params = m.parameterCount();
                total += params;
                String name = m.typeName().toLowerCase(Locale.ROOT) + (i == 0 ? "" : "_" + i);
                rows.add(row(name + " (" + m.typeName() + ")", shape(x.shape()), String.format(Locale.ROOT, "%,d", params)));
            }
            network.train(wasTraining);
        }
        sb.append(String.join("", rows));
        sb.append(DOUBLE_RULE).append('\n');
        sb.append(String.format(Locale.ROOT, "Total params: %,d%n", total));
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", total));
        sb.append("Non-trainable params: 0\n").append(RULE).append('\n');
        return sb.toString();
    }

    private static String shape(int[] batchShape) {
        StringBuilder sb = new StringBuilder("(None");
        for (int i = 1; i < batchShape.length; i++) {
            sb.append(", ").append(batchShape[i]);
        }
        return sb.append(')').toString();
    }

    private static String row(String layer, String shape, String params) {
        return String.format(Locale.ROOT, " %-27s %-25s %s", layer, shape, params).stripTrailing() + "\n";
    }
}
