package dev.nabla.autograd;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;

/**
 * Checks autograd's gradients against central finite differences in float64, like PyTorch's {@code gradcheck}.
 *
 * <p>For a function f of some tensors, it builds the full Jacobian twice: analytically, one backward pass per
 * output element with a one-hot upstream gradient; and numerically, (f(x + ε) − f(x − ε)) / 2ε per input element.
 * An element passes when |analytic − numeric| ≤ atol + rtol·|numeric|. The result names the worst element.
 */
public final class GradCheck {
    /** PyTorch's gradcheck defaults. */
    public static final double EPS = 1e-6;
    public static final double ATOL = 1e-5;
    public static final double RTOL = 1e-3;

    private GradCheck() {}

    /** The outcome, with the element that came closest to (or furthest past) the tolerance. */
    public record Result(boolean passed, int input, int element, int output, double analytic, double numeric,
            double absError, double relError) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: worst at input %d element %d (output element %d): analytic %.8g,"
                    + " numeric %.8g, abs error %.3g, rel error %.3g", passed ? "passed" : "FAILED", input, element,
                    output, analytic, numeric, absError, relError);
        }
    }

    /** Checks with PyTorch's default tolerances; inputs must be float64. */
    public static Result check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return check(f, EPS, ATOL, RTOL, inputs);
    }

    /** Checks with the given step and tolerances; inputs must be float64. */
    public static Result check(Function<Tensor[], Tensor> f, double eps, double atol, double rtol, Tensor... inputs) {
        double[][] values = new double[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("GradCheck: input " + i + " is " + inputs[i].dtype()
                        + "; finite differences need float64 inputs (use .to(DType.FLOAT64))");
            }
            values[i] = inputs[i].toDoubleArray();
        }
        double[] analytic = analyticJacobian(f, inputs, values);
        int outputs = analytic.length / Math.max(1, totalSize(values));
        Result worst = null;
        double worstRatio = -1;
        int column = 0;
        for (int i = 0; i < inputs.length; i++) {
            for (int e = 0; e < values[i].length; e++, column++) {
                double[] plus = evaluate(f, inputs, values, i, e, eps);
                double[] minus = evaluate(f, inputs, values, i, e, -eps);
                for (int o = 0; o < outputs; o++) {
                    double numeric = (plus[o] - minus[o]) / (2 * eps);
                    double a = analytic[o * totalSize(values) + column];
                    double abs = Math.abs(a - numeric);
                    double ratio = Double.isNaN(abs) ? Double.POSITIVE_INFINITY : abs / (atol + rtol * Math.abs(numeric));
                    if (ratio > worstRatio) {
                        worstRatio = ratio;
                        double rel = abs / Math.max(Math.abs(numeric), 1e-300);
                        worst = new Result(ratio <= 1, i, e, o, a, numeric, abs, rel);
                    }
                }
            }
        }
        if (worst == null) {
            return new Result(true, -1, -1, -1, 0, 0, 0, 0);
        }
        return new Result(worstRatio <= 1, worst.input(), worst.element(), worst.output(), worst.analytic(),
                worst.numeric(), worst.absError(), worst.relError());
    }

    /** Fails with the worst element when the check does not pass. */
    public static Result require(Function<Tensor[], Tensor> f, Tensor... inputs) {
        Result r = check(f, inputs);
        if (!r.passed()) {
            throw new AssertionError("gradient check " + r);
        }
        return r;
    }

    private static int totalSize(double[][] values) {
        int n = 0;
        for (double[] v : values) {
            n += v.length;
        }
        return n;
    }

    private static Tensor[] fresh(Tensor[] inputs, double[][] values, boolean requiresGrad) {
        Tensor[] xs = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            xs[i] = Tensor.fromArray(values[i], inputs[i].shape()).requiresGrad(requiresGrad);
        }
        return xs;
    }

    /** Row-major Jacobian: entry [o][column] where column runs over all elements of all inputs. */
    private static double[] analyticJacobian(Function<Tensor[], Tensor> f, Tensor[] inputs, double[][] values) {
        Tensor[] xs = fresh(inputs, values, true);
        Tensor y = f.apply(xs);
        int outputs = y.numel();
        int columns = totalSize(values);
        double[] jacobian = new double[outputs * columns];
        if (!y.requiresGrad()) {
            return jacobian;
        }
        for (int o = 0; o < outputs; o++) {
            double[] seed = new double[outputs];
            seed[o] = 1;
            Tensor[] grads = Tensor.gradients(y, xs, Tensor.fromArray(seed, y.shape()), true, false);
            int column = 0;
            for (Tensor g : grads) {
                double[] gv = g.toDoubleArray();
                System.arraycopy(gv, 0, jacobian, o * columns + column, gv.length);
                column += gv.length;
            }
        }
        return jacobian;
    }

    private static double[] evaluate(Function<Tensor[], Tensor> f, Tensor[] inputs, double[][] values, int input,
            int element, double delta) {
        double[][] shifted = values.clone();
        shifted[input] = Arrays.copyOf(values[input], values[input].length);
        shifted[input][element] += delta;
        // Inputs require grad here too, so that f may itself differentiate (checking a gradient of a gradient).
        return f.apply(fresh(inputs, shifted, true)).detach().toDoubleArray();
    }
}
