package dev.nabla.cli;

import dev.nabla.autograd.GraphExport;
import dev.nabla.autograd.GradCheck;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nabla explain}: the seed's section 4 made executable. A tiny network, its forward pass, every chain-rule
 * step of its backward pass computed by hand, checked against autograd and finite differences, one gradient-descent
 * step, and where the seed's formulas go wrong.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Backpropagation step by step on a tiny network, with numbers, checked against autograd.")
final class ExplainCommand implements Callable<Integer> {
    /** Agreement demanded between two ways of computing the same gradient. */
    static final double AUTOGRAD_TOL = 1e-10;
    static final double FINITE_DIFF_TOL = 1e-7;
    static final double FINITE_DIFF_EPS = 1e-6;

    private static final int LABEL = 36;
    private static final int MAX_SIZE = 16;
    private static final int MAX_LAYERS = 6;

    @Option(names = "--sizes", defaultValue = "2,3,2,1",
            description = "Layer sizes, input first (default: ${DEFAULT-VALUE}: x ∈ ℝ², two hidden layers, one output).")
    String sizes;

    @Option(names = "--activation", defaultValue = "sigmoid",
            description = "Hidden activation: sigmoid, tanh or relu; the output layer is always sigmoid (default: ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--loss", defaultValue = "bce", description = "bce (binary cross-entropy) or mse (default: ${DEFAULT-VALUE}).")
    String loss;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for the weights, x and y (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--lr", defaultValue = "0.5", description = "Learning rate η of the update step (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--mermaid", description = "Write the computation graph of the loss as a Mermaid flowchart to this file.")
    Path mermaid;

    private PrintStream out;

    @Override
    public Integer call() throws Exception {
        int[] dims = parseSizes(sizes);
        HandNet.Activation act = HandNet.Activation.parse(activation);
        HandNet.Loss lossFn = HandNet.Loss.parse(loss);
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("--lr must be a positive number, got " + lr);
        }
        Path dir = mermaid == null ? null : mermaid.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--mermaid: directory " + dir + " does not exist");
        }
        out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Generator gen = new Generator(seed);
        HandNet net = HandNet.random(dims, gen, act, lossFn);
        double[] x = HandNet.roundedUniform(gen, dims[0]);
        double[] y = new double[dims[dims.length - 1]];
        for (int i = 0; i < y.length; i++) {
            y[i] = gen.nextDouble() < 0.5 ? 0 : 1;
        }

        header(net);
        parameters(net, x, y);
        HandNet.Forward f = forward(net, x, y);
        HandNet.Backward g = backward(net, f, y);
        boolean passed = checks(net, x, y, g);
        update(net, x, y, f, g);
        notes(net, f, g);
        out.flush();
        if (!passed) {
            throw new IllegalStateException("a gradient check failed (see ✗ above)");
        }
        return 0;
    }

    static int[] parseSizes(String text) {
        String[] parts = text.split(",", -1);
        if (parts.length < 3) {
            throw new IllegalArgumentException("--sizes needs at least 2 layers (input, hidden and output sizes, e.g. 2,3,1), got '"
                    + text + "'");
        }
        if (parts.length - 1 > MAX_LAYERS) {
            throw new IllegalArgumentException("--sizes allows at most " + MAX_LAYERS + " layers, got '" + text + "'");
        }
        int[] dims = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                dims[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--sizes: '" + parts[i] + "' is not a number in '" + text + "'");
            }
            if (dims[i] < 1 || dims[i] > MAX_SIZE) {
                throw new IllegalArgumentException("--sizes: each size must be between 1 and " + MAX_SIZE
                        + " (this is a tiny network to read), got " + dims[i]);
            }
        }
        return dims;
    }

    // ---------------------------------------------------------------- the sections

    private void header(HandNet net) {
        int layers = net.layers();
        out.println("∇ nabla explain: backpropagation step by step (the seed's section 4, with numbers)");
        out.println();
        out.println("Network " + join(net.sizes) + ", one input x and its target y:");
        for (int l = 1; l <= layers; l++) {
            out.printf("  %-3s= %s(W%d·%s + b%d)%n", h(net, l), net.activation(l).symbol, l, h(net, l - 1), l);
        }
        if (net.activation != HandNet.Activation.SIGMOID) {
            out.println("  (hidden layers use " + net.activation.symbol + "; the output layer stays σ so that ŷ ∈ (0, 1))");
        }
        out.println("Loss: " + net.loss.title + ", " + net.loss.formula + ", N = " + net.sizes[layers] + " outputs");
        out.println("Vectors are columns, printed as [ … ]ᵀ; ⊙ is the element-wise product; f' is the derivative of an"
                + " activation f.");
    }

    private void parameters(HandNet net, double[] x, double[] y) {
        section("Parameters (seed " + seed + ": uniform in [-1, 1], rounded to 2 decimals)");
        for (int l = 1; l <= net.layers(); l++) {
            matrix("  W" + l, net.w[l], "%+.2f", 6);
            vector("  b" + l, net.b[l], "%+.2f", 6);
        }
        vector("  x", x, "%+.2f", 6);
        vector("  y", y, "%+.2f", 6);
    }

    private HandNet.Forward forward(HandNet net, double[] x, double[] y) {
        section("1. Forward pass: z = W·h + b, then h = f(z)");
        HandNet.Forward f = net.forward(x, y);
        int layers = net.layers();
        for (int l = 1; l <= layers; l++) {
            out.println("  Layer " + l + (l == layers ? " (output)" : " (hidden)"));
            vector("    z" + l + " = W" + l + "·" + h(net, l - 1) + " + b" + l, f.z()[l]);
            vector("    " + h(net, l) + " = " + net.activation(l).symbol + "(z" + l + ")", f.h()[l]);
        }
        out.println("  Loss");
        scalar("    L = " + (net.loss == HandNet.Loss.BCE ? "BCE(ŷ, y)" : "MSE(ŷ, y)"), f.loss());
        return f;
    }

    private HandNet.Backward backward(HandNet net, HandNet.Forward f, double[] y) {
        section("2. Backward pass: the chain rule, by hand in double arithmetic");
        HandNet.Backward g = net.backward(f, y);
        int layers = net.layers();
        for (int l = layers; l >= 1; l--) {
            HandNet.Activation a = net.activation(l);
            String hl = h(net, l);
            if (l == layers) {
                out.println("  Output layer " + l);
                vector("    ∂L/∂ŷ = " + net.loss.gradientFormula, g.dh()[l]);
            } else {
                out.println("  Hidden layer " + l + ": the error flows back through W" + (l + 1) + "ᵀ");
                vector("    ∂L/∂" + hl + " = W" + (l + 1) + "ᵀ·δ" + (l + 1), g.dh()[l]);
            }
            vector("    " + a.symbol + "'(z" + l + ") = " + a.derivativeText(hl, "z" + l), g.slope()[l]);
            vector("    δ" + l + " = ∂L/∂z" + l + " = ∂L/∂" + hl + " ⊙ " + a.symbol + "'(z" + l + ")", g.delta()[l]);
            if (l == layers && net.loss == HandNet.Loss.BCE) {
                out.println("      (BCE after σ: the σ' cancels, δ" + l + " = (ŷ − y)/N)");
            }
            matrix("    ∂L/∂W" + l + " = δ" + l + "·" + h(net, l - 1) + "ᵀ", g.dw()[l], "%+.6f", LABEL);
            vector("    ∂L/∂b" + l + " = δ" + l, g.db()[l]);
        }
        return g;
    }

    private boolean checks(HandNet net, double[] x, double[] y, HandNet.Backward g) throws IOException {
        section("3. Checks: the hand-computed gradients against autograd and central finite differences");
        int layers = net.layers();
        Tensor[] params = tensors(net);
        for (Tensor p : params) {
            p.requiresGrad(true);
        }
        Tensor lossTensor = lossTensor(net, x, y, params, true);
        lossTensor.backward(lossTensor.onesLike(), true, false);

        boolean passed = true;
        out.printf("  %-8s %-24s %s%n", "", "max |hand − autograd|", "max |hand − finite diff.|");
        for (int l = 1; l <= layers; l++) {
            for (int k = 0; k < 2; k++) {
                boolean weight = k == 0;
                double[] hand = weight ? flatten(g.dw()[l]) : g.db()[l];
                double[] auto = params[2 * (l - 1) + k].grad().toDoubleArray();
                double[] numeric = finiteDifferences(net, x, y, l, weight);
                double da = maxAbsDiff(hand, auto);
                double dn = maxAbsDiff(hand, numeric);
                boolean okA = da <= AUTOGRAD_TOL;
                boolean okN = dn <= FINITE_DIFF_TOL;
                passed &= okA && okN;
                out.printf(Locale.ROOT, "  %-8s %-24s %s%n", "∂L/∂" + (weight ? "W" : "b") + l,
                        String.format(Locale.ROOT, "%.2e %s", da, mark(okA)), String.format(Locale.ROOT, "%.2e %s", dn, mark(okN)));
            }
        }
        out.printf(Locale.ROOT, "  (tolerances: %.0e against autograd, %.0e against differences with ε = %.0e)%n",
                AUTOGRAD_TOL, FINITE_DIFF_TOL, FINITE_DIFF_EPS);

        Tensor[] plain = tensors(net);
        GradCheck.Result r = GradCheck.check(p -> lossTensor(net, x, y, p, false), plain);
        passed &= r.passed();
        out.printf(Locale.ROOT, "  GradCheck, autograd against finite differences on all %d parameters: %s %s%n",
                plain.length, r.passed() ? "passed" : "FAILED", mark(r.passed()));
        if (!r.passed()) {
            out.println("    " + r);
        }
        if (mermaid != null) {
            String chart = GraphExport.mermaid(lossTensor);
            Files.writeString(mermaid, chart, StandardCharsets.UTF_8);
            out.println("  Computation graph written to " + mermaid + " (Mermaid flowchart, "
                    + chart.lines().filter(s -> s.contains("-->")).count() + " edges)");
        }
        return passed;
    }

    private void update(HandNet net, double[] x, double[] y, HandNet.Forward f, HandNet.Backward g) {
        section(String.format(Locale.ROOT, "4. Gradient descent: W ← W − η·∂L/∂W, b ← b − η·∂L/∂b with η = %s", lr));
        HandNet next = net.step(g, lr);
        for (int l = 1; l <= net.layers(); l++) {
            matrix("  W" + l + " ← W" + l + " − η·∂L/∂W" + l, next.w[l], "%+.6f", LABEL);
            vector("  b" + l + " ← b" + l + " − η·∂L/∂b" + l, next.b[l]);
        }
        double after = next.forward(x, y).loss();
        scalar("  L before the step", f.loss());
        scalar("  L after the step", after);
        out.println(after < f.loss() ? "  The loss went down ✓" : "  The loss did not go down ✗ (η is too large: try a smaller --lr)");
    }

    private void notes(HandNet net, HandNet.Forward f, HandNet.Backward g) {
        int last = net.layers();
        section("5. Notes on the seed document (section 4.2): what it gets wrong, and the right formula");
        if (last != 3) {
            out.println("  The seed's network has 3 layers and this one " + last + ": read its layer 3 as layer " + last
                    + " here, its layer 2 as any hidden layer.");
        }
        note("The loss: the minus sign and the sum must cover both terms:",
                "seed:  L = −(1/N) Σ y·log ŷ + (1 − y)·log(1 − ŷ)",
                "right: L = −(1/N) Σ [y·log ŷ + (1 − y)·log(1 − ŷ)]");
        note("4.2.1 builds ∂L/∂ŷ from ∂L/∂W3 and ∂L/∂b3; the chain runs the other way, ∂L/∂ŷ comes from the loss:",
                "seed:  ∂L/∂ŷ = ∂L/∂W3·∂ŷ/∂h2 + ∂L/∂b3",
                "right: ∂L/∂ŷ = " + net.loss.gradientFormula + ", then δ3 = ∂L/∂z3 = ∂L/∂ŷ ⊙ σ'(z3)");
        note("ŷ(1 − ŷ) is the derivative of ŷ by its own input z3, not by h2:",
                "seed:  ∂ŷ/∂h2 = ŷ(1 − ŷ)",
                "right: ∂ŷ/∂z3 = σ'(z3) = ŷ(1 − ŷ), and ∂ŷ/∂h2 = diag(σ'(z3))·W3");
        note("∂L/∂W3 picks up ∂h2/∂h1, a factor of the layer below that has nothing to do with W3:",
                "seed:  ∂L/∂W3 = ∂L/∂ŷ · ŷ(1 − ŷ) · ∂h2/∂h1",
                "right: ∂L/∂W3 = δ3·h2ᵀ");
        note("∂L/∂b3 drops σ'(z3):",
                "seed:  ∂L/∂b3 = ∂L/∂ŷ",
                "right: ∂L/∂b3 = δ3 = ∂L/∂ŷ ⊙ σ'(z3)");
        vector("        here ∂L/∂ŷ", g.dh()[last]);
        vector("        but  δ" + last, g.delta()[last]);
        note("4.2.2 forgets W3ᵀ on the way back to h2, and reuses ŷ(1 − ŷ) instead of the layer's own slope:",
                "seed:  ∂L/∂h2 = ∂L/∂ŷ · ŷ(1 − ŷ)",
                "right: ∂L/∂h2 = W3ᵀ·δ3, and δ2 = ∂L/∂h2 ⊙ f'(z2), with f'(z2) = " + slopeText(net, 2));
        note("∂L/∂W2 and ∂L/∂b2 use ∂L/∂h2 where they need δ2, and ∂h2/∂h1 where they need h1ᵀ:",
                "seed:  ∂L/∂W2 = ∂L/∂h2·∂h2/∂h1,  ∂L/∂b2 = ∂L/∂h2",
                "right: ∂L/∂W2 = δ2·h1ᵀ,  ∂L/∂b2 = δ2");
        note("4.2.3 calls layer 1's slope ∂h2/∂h1, and differentiates by the input x instead of by W1:",
                "seed:  ∂h2/∂h1 = σ'(W1x + b1),  ∂L/∂W1 = ∂L/∂h1·∂h1/∂x,  ∂L/∂b1 = ∂L/∂h1",
                "right: ∂h1/∂z1 = f'(z1) = f'(W1x + b1), ∂h2/∂h1 = diag(f'(z2))·W2,");
        out.println("             δ1 = (W2ᵀ·δ2) ⊙ f'(z1),  ∂L/∂W1 = δ1·xᵀ,  ∂L/∂b1 = δ1");
        out.println("  In general: at the output δ = ∂L/∂ŷ ⊙ σ'(z); below it δl = (W(l+1)ᵀ·δ(l+1)) ⊙ f'(zl);");
        out.println("  and for every layer ∂L/∂Wl = δl·h(l−1)ᵀ, ∂L/∂bl = δl (with h0 = x).");
    }

    // ---------------------------------------------------------------- autograd and finite differences

    /** Float64 copies of W1, b1, W2, b2, …, named for the graph; biases are columns [n, 1] so that z = W·h + b. */
    private static Tensor[] tensors(HandNet net) {
        Tensor[] p = new Tensor[2 * net.layers()];
        for (int l = 1; l <= net.layers(); l++) {
            p[2 * (l - 1)] = Tensor.fromArray(net.w[l]).name("W" + l);
            p[2 * (l - 1) + 1] = Tensor.fromArray(net.b[l].clone(), net.b[l].length, 1).name("b" + l);
        }
        return p;
    }

    /** The same network on Nabla tensors, for autograd: z = W·h + b, h = f(z), then the loss. */
    private static Tensor lossTensor(HandNet net, double[] x, double[] y, Tensor[] p, boolean named) {
        Tensor h = Tensor.fromArray(x.clone(), x.length, 1).name("x");
        for (int l = 1; l <= net.layers(); l++) {
            Tensor z = p[2 * (l - 1)].matmul(h).add(p[2 * (l - 1) + 1]);
            h = net.activation(l).apply(z);
            if (named) {
                z.name("z" + l);
                h.name(l == net.layers() ? "ŷ" : "h" + l);
            }
        }
        Tensor target = Tensor.fromArray(y.clone(), y.length, 1).name("y");
        Tensor l = net.loss.value(h, target);
        return named ? l.name("L") : l;
    }

    /** (L(θ + ε) − L(θ − ε)) / 2ε for every element of W_l (or b_l), on the hand-written forward pass. */
    private static double[] finiteDifferences(HandNet net, double[] x, double[] y, int l, boolean weight) {
        int rows = net.sizes[l];
        int cols = weight ? net.sizes[l - 1] : 1;
        double[] d = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int col = weight ? j : -1;
                double plus = net.shifted(l, i, col, FINITE_DIFF_EPS).forward(x, y).loss();
                double minus = net.shifted(l, i, col, -FINITE_DIFF_EPS).forward(x, y).loss();
                d[i * cols + j] = (plus - minus) / (2 * FINITE_DIFF_EPS);
            }
        }
        return d;
    }

    // ---------------------------------------------------------------- printing

    private static String h(HandNet net, int l) {
        return l == 0 ? "x" : l == net.layers() ? "ŷ" : "h" + l;
    }

    private static String slopeText(HandNet net, int l) {
        HandNet.Activation a = net.activation(Math.min(l, net.layers()));
        return a.derivativeText("h" + l, "z" + l) + " for " + a.symbol;
    }

    private void section(String title) {
        out.println();
        out.println(title);
    }

    private void note(String what, String seedFormula, String right) {
        out.println("  • " + what);
        out.println("      " + seedFormula + "   ✗");
        out.println("      " + right);
    }

    private void scalar(String label, double v) {
        out.println(pad(label, LABEL) + " = " + String.format(Locale.ROOT, "%+.6f", v));
    }

    private void vector(String label, double[] v) {
        vector(label, v, "%+.6f", LABEL);
    }

    private void vector(String label, double[] v, String format, int width) {
        out.println(pad(label, width) + " = [ " + row(v, format) + " ]ᵀ");
    }

    private void matrix(String label, double[][] m, String format, int width) {
        for (int i = 0; i < m.length; i++) {
            String lead = i == 0 ? pad(label, width) + " = " : " ".repeat(width + 3);
            out.println(lead + "[ " + row(m[i], format) + " ]");
        }
    }

    private static String row(double[] v, String format) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : "  ").append(String.format(Locale.ROOT, format, v[i] == 0 ? 0.0 : v[i]));
        }
        return sb.toString();
    }

    private static String pad(String s, int width) {
        int n = s.codePointCount(0, s.length());
        return n >= width ? s : s + " ".repeat(width - n);
    }

    private static String mark(boolean ok) {
        return ok ? "✓" : "✗";
    }

    private static String join(int[] dims) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : "-").append(dims[i]);
        }
        return sb.toString();
    }

    private static double[] flatten(double[][] m) {
        double[] f = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, f, i * m[0].length, m[0].length);
        }
        return f;
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
