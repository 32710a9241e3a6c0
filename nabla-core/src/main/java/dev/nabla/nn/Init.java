package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;

/**
 * Weight initialisers. Shapes follow PyTorch: a weight is {@code [out, in, kernel...]}, so
 * fanIn = in·∏kernel and fanOut = out·∏kernel. Every initialiser draws from an explicit {@link Generator}.
 */
public final class Init {
    private Init() {}

    /** Creates an initial tensor of a given shape. */
    @FunctionalInterface
    public interface Initializer {
        Tensor create(Generator generator, int... shape);
    }

    /** Glorot/Xavier uniform: U(−a, a), a = √(6 / (fanIn + fanOut)); Keras's default for Dense and Conv. */
    public static final Initializer GLOROT_UNIFORM = (g, s) -> {
        double a = Math.sqrt(6.0 / (fanIn(s) + fanOut(s)));
        return Tensor.uniform(g, -a, a, s);
    };

    /** Glorot/Xavier normal: N(0, 2 / (fanIn + fanOut)). */
    public static final Initializer GLOROT_NORMAL = (g, s) -> Tensor.normal(g, 0, Math.sqrt(2.0 / (fanIn(s) + fanOut(s))), s);

    /** He/Kaiming uniform for ReLU: U(−a, a), a = √(6 / fanIn). */
    public static final Initializer HE_UNIFORM = (g, s) -> {
        double a = Math.sqrt(6.0 / fanIn(s));
        return Tensor.uniform(g, -a, a, s);
    };

    /** He/Kaiming normal for ReLU: N(0, 2 / fanIn). */
    public static final Initializer HE_NORMAL = (g, s) -> Tensor.normal(g, 0, Math.sqrt(2.0 / fanIn(s)), s);

    /**
     * PyTorch's default for Linear and Conv weights and biases: U(−1/√fanIn, 1/√fanIn) (kaiming_uniform with
     * a = √5). For a bias, pass the weight's fanIn through {@link #uniformFanIn(int)}.
     */
    public static final Initializer TORCH_DEFAULT = (g, s) -> {
        double a = 1 / Math.sqrt(fanIn(s));
        return Tensor.uniform(g, -a, a, s);
    };

    /** All zeros (Keras's default bias). */
    public static final Initializer ZEROS = (g, s) -> Tensor.zeros(s);

    /** All ones. */
    public static final Initializer ONES = (g, s) -> Tensor.ones(s);

    /** N(mean, std²). */
    public static Initializer normal(double mean, double std) {
        return (g, s) -> Tensor.normal(g, mean, std, s);
    }

    /** U(low, high). */
    public static Initializer uniform(double low, double high) {
        return (g, s) -> Tensor.uniform(g, low, high, s);
    }

    /** U(−1/√fanIn, 1/√fanIn) for a bias whose weight has the given fanIn (PyTorch's bias default). */
    public static Initializer uniformFanIn(int fanIn) {
        double a = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        return uniform(-a, a);
    }

    /** Inputs per output unit: shape[1]·∏shape[2..] (shape[0] for a vector). */
    public static int fanIn(int[] shape) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("fanIn: a scalar has no fan-in");
        }
        if (shape.length == 1) {
            return shape[0];
        }
        return shape[1] * receptive(shape);
    }

    /** Outputs per input unit: shape[0]·∏shape[2..]. */
    public static int fanOut(int[] shape) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("fanOut: a scalar has no fan-out");
        }
        return shape[0] * (shape.length == 1 ? 1 : receptive(shape));
    }

    private static int receptive(int[] shape) {
        int r = 1;
        for (int i = 2; i < shape.length; i++) {
            r *= shape[i];
        }
        return r;
    }
}
