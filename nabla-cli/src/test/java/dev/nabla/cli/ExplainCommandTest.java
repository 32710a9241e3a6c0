package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nabla explain}: its checks pass for every activation and loss, its printed gradients agree with finite
 * differences computed here from its printed weights, the update lowers the loss, and bad options fail in one line.
 */
class ExplainCommandTest {
    private static final Pattern NUMBER = Pattern.compile("[+-]\\d+\\.\\d+");

    private static String[] run(String... args) {
        return CliRun.run(args);
    }

    @Test
    void checksPassAndTheLossGoesDownForEveryActivationAndLoss() {
        for (String activation : List.of("sigmoid", "tanh", "relu")) {
            for (String loss : List.of("bce", "mse")) {
                String[] r = run("explain", "--activation", activation, "--loss", loss, "--seed", "3");
                String what = activation + "/" + loss + ":\n" + r[1] + r[2];
                assertEquals("0", r[0], what);
                String checked = r[1].substring(0, r[1].indexOf("5. Notes on the seed document"));
                assertFalse(checked.contains("✗"), what);
                String checks = checked.substring(checked.indexOf("3. Checks"), checked.indexOf("4. Gradient descent"));
                assertEquals(3 * 2 * 2 + 1, checks.chars().filter(c -> c == '✓').count(), what);
                assertTrue(checks.contains("GradCheck") && checks.contains("passed ✓"), what);
                assertTrue(scalar(r[1], "L after the step") < scalar(r[1], "L before the step"), what);
                assertTrue(r[1].contains("The loss went down ✓"), what);
            }
        }
    }

    @Test
    void printedGradientsEqualFiniteDifferencesOfThePrintedNetwork() {
        checkAgainstFiniteDifferences("2,3,2,1", "sigmoid", "bce", "42");
        checkAgainstFiniteDifferences("3,4,2", "tanh", "mse", "5");
        checkAgainstFiniteDifferences("2,3,3,2", "relu", "bce", "11");
    }

    /** Reads W, b, x, y from the output and differentiates the loss numerically, independently of the command. */
    private static void checkAgainstFiniteDifferences(String sizes, String activation, String loss, String seed) {
        String[] r = run("explain", "--sizes", sizes, "--activation", activation, "--loss", loss, "--seed", seed);
        assertEquals("0", r[0], r[2]);
        String out = r[1];
        int layers = sizes.split(",").length - 1;
        double[][][] w = new double[layers + 1][][];
        double[][] b = new double[layers + 1][];
        for (int l = 1; l <= layers; l++) {
            w[l] = block(out, "W" + l);
            b[l] = block(out, "b" + l)[0];
        }
        double[] x = block(out, "x")[0];
        double[] y = block(out, "y")[0];
        Net net = new Net(w, b, x, y, activation, loss);
        assertEquals(net.loss(), scalar(out, "L before the step"), 1e-6, "loss of the printed network");

        double eps = 1e-6;
        for (int l = 1; l <= layers; l++) {
            double[][] dw = block(out, "∂L/∂W" + l);
            double[] db = block(out, "∂L/∂b" + l)[0];
            for (int i = 0; i < w[l].length; i++) {
                for (int j = 0; j < w[l][i].length; j++) {
                    double keep = w[l][i][j];
                    w[l][i][j] = keep + eps;
                    double plus = net.loss();
                    w[l][i][j] = keep - eps;
                    double minus = net.loss();
                    w[l][i][j] = keep;
                    assertEquals((plus - minus) / (2 * eps), dw[i][j], 2e-6, sizes + " ∂L/∂W" + l + "[" + i + "][" + j + "]");
                }
                double keep = b[l][i];
                b[l][i] = keep + eps;
                double plus = net.loss();
                b[l][i] = keep - eps;
                double minus = net.loss();
                b[l][i] = keep;
                assertEquals((plus - minus) / (2 * eps), db[i], 2e-6, sizes + " ∂L/∂b" + l + "[" + i + "]");
            }
        }
    }

    /** The network of the output, evaluated with its parameters as they stand (the arrays are shared). */
    private record Net(double[][][] w, double[][] b, double[] x, double[] y, String activation, String lossName) {
        double loss() {
            double[] h = x;
            int layers = w.length - 1;
            for (int l = 1; l <= layers; l++) {
                double[] next = new double[w[l].length];
                for (int i = 0; i < next.length; i++) {
                    double z = b[l][i];
                    for (int j = 0; j < h.length; j++) {
                        z += w[l][i][j] * h[j];
                    }
                    next[i] = l == layers || activation.equals("sigmoid") ? 1 / (1 + Math.exp(-z))
                            : activation.equals("tanh") ? Math.tanh(z) : Math.max(0, z);
                }
                h = next;
            }
            double sum = 0;
            for (int i = 0; i < y.length; i++) {
                sum += lossName.equals("bce") ? -(y[i] * Math.log(h[i]) + (1 - y[i]) * Math.log(1 - h[i]))
                        : (h[i] - y[i]) * (h[i] - y[i]);
            }
            return sum / y.length;
        }
    }

    @Test
    void mermaidWritesTheGraphOfTheLoss(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("graph.mmd");
        String[] r = run("explain", "--mermaid", file.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("graph.mmd"), r[1]);
        String chart = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(chart.startsWith("flowchart TD\n"), chart);
        for (String part : List.of("MATMUL", "ADD", "SIGMOID", "LOG", "NEG<br/>[]", "W1<br/>param [3, 2]",
                "b3<br/>param [1, 1]", "x<br/>input [2, 1]", "grad norm", " --> ")) {
            assertTrue(chart.contains(part), part + " in\n" + chart);
        }
        assertEquals(3, chart.lines().filter(s -> s.contains("MATMUL")).count(), chart);
    }

    @Test
    void badOptionsFailWithOneLine(@TempDir Path dir) {
        String[][] cases = {
            {"--sizes", "2,1", "1", "nabla explain: --sizes needs at least 2 layers"},
            {"--sizes", "2,x,1", "1", "nabla explain: --sizes: 'x' is not a number"},
            {"--sizes", "2,0,1", "1", "nabla explain: --sizes: each size must be between 1 and"},
            {"--activation", "swish", "1", "nabla explain: unknown activation 'swish'"},
            {"--loss", "hinge", "1", "nabla explain: unknown loss 'hinge'"},
            {"--lr", "-0.1", "1", "nabla explain: --lr must be a positive number"},
            {"--lr", "fast", "2", "nabla explain: Invalid value for option '--lr'"},
            {"--mermaid", dir.resolve("missing").resolve("g.mmd").toString(), "1", "nabla explain: --mermaid: directory"},
        };
        for (String[] c : cases) {
            String[] r = run("explain", c[0], c[1]);
            assertEquals(c[2], r[0], String.join(" ", c) + ": " + r[2]);
            assertTrue(r[2].startsWith(c[3]), r[2]);
            assertEquals(1, r[2].strip().lines().count(), r[2]);
            assertEquals("", r[1], "nothing printed before the error");
        }
    }

    /** The rows of the first matrix or vector printed as {@code label ... = [ … ]}, with its continuation lines. */
    private static double[][] block(String out, String label) {
        List<String> lines = out.lines().toList();
        for (int k = 0; k < lines.size(); k++) {
            String line = lines.get(k).strip();
            if (line.startsWith(label + " ") && line.contains("= [")) {
                List<double[]> rows = new ArrayList<>();
                rows.add(numbers(line.substring(line.lastIndexOf("= [") + 3)));
                while (k + 1 < lines.size() && lines.get(k + 1).strip().startsWith("[")) {
                    rows.add(numbers(lines.get(++k)));
                }
                return rows.toArray(new double[0][]);
            }
        }
        throw new AssertionError("no '" + label + " = [' in\n" + out);
    }

    private static double[] numbers(String text) {
        Matcher m = NUMBER.matcher(text);
        List<Double> values = new ArrayList<>();
        while (m.find()) {
            values.add(Double.parseDouble(m.group()));
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The number printed on the first line {@code label ... = value}. */
    private static double scalar(String out, String label) {
        for (String line : out.lines().toList()) {
            String s = line.strip();
            if (s.startsWith(label + " ") && s.contains("= ")) {
                return numbers(s.substring(s.lastIndexOf("= ")))[0];
            }
        }
        throw new AssertionError("no '" + label + " = ' in\n" + out);
    }
}
