package dev.nabla.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The seed document's section 4 network, h1 = σ(W1x + b1), h2 = σ(W2h1 + b2), ŷ = σ(W3h2 + b3), with its
 * cross-entropy L = −(1/N) Σ [y log ŷ + (1 − y) log(1 − ŷ)]: autograd against the chain rule written out by hand
 * (on plain arrays, in row-major batch form h = σ(x·W + b)) and against finite differences.
 *
 * <p>The hand derivation corrects the seed: with a sigmoid output and this loss the output error is
 * δ3 = ∂L/∂z3 = (ŷ − y)/N (the σ' cancels); ∂L/∂W3 = h2ᵀ·δ3 and ∂L/∂b3 = Σ δ3 (the seed writes ∂L/∂b3 = ∂L/∂ŷ,
 * dropping σ', and puts ∂h2/∂h1 into ∂L/∂W3); each hidden error is δl = (δ(l+1)·W(l+1)ᵀ) ⊙ hl(1 − hl) (the seed
 * multiplies by ŷ(1 − ŷ) at every layer), and ∂L/∂Wl = h(l−1)ᵀ·δl, ∂L/∂bl = Σ δl.
 */
class SeedNetworkTest {
    private static final int N = 4;
    private static final int[] SIZES = {3, 5, 4, 2};

    @Test
    void autogradMatchesTheHandWrittenChainRuleAndFiniteDifferences() {
        Generator gen = new Generator(7);
        double[][] x = random(gen, N, SIZES[0], 1.0);
        double[][] y = new double[N][SIZES[3]];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < SIZES[3]; j++) {
                y[i][j] = gen.nextDouble() < 0.5 ? 0 : 1;
            }
        }
        double[][][] w = new double[3][][];
        double[][] b = new double[3][];
        for (int l = 0; l < 3; l++) {
            w[l] = random(gen, SIZES[l], SIZES[l + 1], 0.8);
            b[l] = random(gen, 1, SIZES[l + 1], 0.3)[0];
        }

        // Hand-written forward and backward.
        double[][][] h = new double[4][][];
        h[0] = x;
        for (int l = 0; l < 3; l++) {
            h[l + 1] = sigmoid(addRow(matmul(h[l], w[l]), b[l]));
        }
        double[][] delta = new double[N][SIZES[3]];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < SIZES[3]; j++) {
                delta[i][j] = (h[3][i][j] - y[i][j]) / N;
            }
        }
        double[][][] dw = new double[3][][];
        double[][] db = new double[3][];
        for (int l = 2; l >= 0; l--) {
            dw[l] = matmul(transpose(h[l]), delta);
            db[l] = columnSums(delta);
            if (l > 0) {
                double[][] back = matmul(delta, transpose(w[l]));
                for (int i = 0; i < N; i++) {
                    for (int j = 0; j < back[i].length; j++) {
                        back[i][j] *= h[l][i][j] * (1 - h[l][i][j]);
                    }
                }
                delta = back;
            }
        }

        // Autograd on the same numbers.
        Tensor[] params = new Tensor[6];
        for (int l = 0; l < 3; l++) {
            params[2 * l] = Tensor.fromArray(w[l]).requiresGrad(true);
            params[2 * l + 1] = Tensor.fromArray(b[l], b[l].length).requiresGrad(true);
        }
        Tensor xt = Tensor.fromArray(x);
        Tensor yt = Tensor.fromArray(y);
        loss(xt, yt, params).backward();
        for (int l = 0; l < 3; l++) {
            assertArrayEquals(flatten(dw[l]), params[2 * l].grad().toDoubleArray(), 1e-12, "dL/dW" + (l + 1));
            assertArrayEquals(db[l], params[2 * l + 1].grad().toDoubleArray(), 1e-12, "dL/db" + (l + 1));
        }

        Tensor[] plain = new Tensor[6];
        for (int i = 0; i < 6; i++) {
            plain[i] = params[i].detach();
        }
        GradCheck.Result r = GradCheck.check(p -> loss(xt, yt, p), plain);
        assertTrue(r.passed(), r.toString());
    }

    private static Tensor loss(Tensor x, Tensor y, Tensor[] p) {
        Tensor h = x;
        for (int l = 0; l < 3; l++) {
            h = h.matmul(p[2 * l]).add(p[2 * l + 1]).sigmoid();
        }
        Tensor ce = y.mul(h.log()).add(y.rsub(1).mul(h.rsub(1).log()));
        return ce.sum().neg().div(N);
    }

    private static double[][] random(Generator gen, int rows, int cols, double scale) {
        double[][] m = new double[rows][cols];
        for (double[] row : m) {
            for (int j = 0; j < cols; j++) {
                row[j] = scale * gen.nextGaussian();
            }
        }
        return m;
    }

    private static double[][] matmul(double[][] a, double[][] b) {
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int k = 0; k < b.length; k++) {
                for (int j = 0; j < b[0].length; j++) {
                    c[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return c;
    }

    private static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    private static double[][] addRow(double[][] a, double[] row) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
            for (int j = 0; j < row.length; j++) {
                c[i][j] += row[j];
            }
        }
        return c;
    }

    private static double[][] sigmoid(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = new double[a[i].length];
            for (int j = 0; j < a[i].length; j++) {
                c[i][j] = 1 / (1 + Math.exp(-a[i][j]));
            }
        }
        return c;
    }

    private static double[] columnSums(double[][] a) {
        double[] s = new double[a[0].length];
        for (double[] row : a) {
            for (int j = 0; j < s.length; j++) {
                s[j] += row[j];
            }
        }
        return s;
    }

    private static double[] flatten(double[][] a) {
        double[] f = new double[a.length * a[0].length];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, f, i * a[0].length, a[0].length);
        }
        return f;
    }

    @Test
    void float32GradientsAgreeWithFloat64() {
        Generator gen = new Generator(3);
        Tensor a = Tensor.randn(gen, 8, 5).requiresGrad(true);
        Tensor b = a.detach().to(DType.FLOAT64).requiresGrad(true);
        a.tanh().matmul(a.t()).sum().backward();
        b.tanh().matmul(b.t()).sum().backward();
        double[] g32 = a.grad().toDoubleArray();
        double[] g64 = b.grad().toDoubleArray();
        assertArrayEquals(g64, g32, 1e-4);
    }
}
