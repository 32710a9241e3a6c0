package dev.nabla.cli;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;

/**
 * A small fully connected network in plain {@code double} arithmetic, column-vector form as in the seed's section 4:
 * z_l = W_l·h_(l−1) + b_l, h_l = f(z_l), with h_0 = x and ŷ = h_L = σ(z_L). Forward and backward are written out by
 * hand, independently of autograd, for {@code nabla explain}.
 */
final class HandNet {
    /** The hidden activation f, with its derivative written in terms of z and h = f(z). */
    enum Activation {
        SIGMOID("σ", "h(1 − h)") {
            @Override
            double apply(double z) {
                return 1 / (1 + Math.exp(-z));
            }

            @Override
            double derivative(double z, double h) {
                return h * (1 - h);
            }

            @Override
            Tensor apply(Tensor z) {
                return z.sigmoid();
            }
        },
        TANH("tanh", "1 − h²") {
            @Override
            double apply(double z) {
                return Math.tanh(z);
            }

            @Override
            double derivative(double z, double h) {
                return 1 - h * h;
            }

            @Override
            Tensor apply(Tensor z) {
                return z.tanh();
            }
        },
        RELU("relu", "[z > 0]") {
            @Override
            double apply(double z) {
                return Math.max(z, 0);
            }

            @Override
            double derivative(double z, double h) {
                return z > 0 ? 1 : 0;
            }

            @Override
            Tensor apply(Tensor z) {
                return z.relu();
            }
        };

        final String symbol;
        /** f'(z) as a formula in h (or z), the way a textbook writes it. */
        final String derivativeFormula;

        Activation(String symbol, String derivativeFormula) {
            this.symbol = symbol;
            this.derivativeFormula = derivativeFormula;
        }

        /** The derivative formula for one layer, e.g. "h2(1 − h2)" or "[z2 > 0]". */
        String derivativeText(String h, String z) {
            return derivativeFormula.replace("z", z).replace("h", h);
        }

        abstract double apply(double z);

        abstract double derivative(double z, double h);

        abstract Tensor apply(Tensor z);

        static Activation parse(String name) {
            return switch (name) {
                case "sigmoid" -> SIGMOID;
                case "tanh" -> TANH;
                case "relu" -> RELU;
                default -> throw new IllegalArgumentException("unknown activation '" + name + "' (expected sigmoid, tanh or relu)");
            };
        }
    }

    /** The loss over the N outputs, averaged as in the seed: L = (1/N) Σ ℓ(ŷ_i, y_i). */
    enum Loss {
        BCE("binary cross-entropy", "L = −(1/N) Σ [y·log ŷ + (1 − y)·log(1 − ŷ)]", "(ŷ − y) / (N·ŷ(1 − ŷ))") {
            @Override
            double value(double[] yhat, double[] y) {
                double s = 0;
                for (int i = 0; i < y.length; i++) {
                    s += y[i] * Math.log(yhat[i]) + (1 - y[i]) * Math.log(1 - yhat[i]);
                }
                return -s / y.length;
            }

            @Override
            double[] gradient(double[] yhat, double[] y) {
                double[] g = new double[y.length];
                for (int i = 0; i < y.length; i++) {
                    g[i] = (yhat[i] - y[i]) / (y.length * yhat[i] * (1 - yhat[i]));
                }
                return g;
            }

            @Override
            Tensor value(Tensor yhat, Tensor y) {
                return y.mul(yhat.log()).add(y.rsub(1).mul(yhat.rsub(1).log())).mean().neg();
            }
        },
        MSE("mean squared error", "L = (1/N) Σ (ŷ − y)²", "2(ŷ − y) / N") {
            @Override
            double value(double[] yhat, double[] y) {
                double s = 0;
                for (int i = 0; i < y.length; i++) {
                    s += (yhat[i] - y[i]) * (yhat[i] - y[i]);
                }
                return s / y.length;
            }

            @Override
            double[] gradient(double[] yhat, double[] y) {
                double[] g = new double[y.length];
                for (int i = 0; i < y.length; i++) {
                    g[i] = 2 * (yhat[i] - y[i]) / y.length;
                }
                return g;
            }

            @Override
            Tensor value(Tensor yhat, Tensor y) {
                return yhat.sub(y).square().mean();
            }
        };

        final String title;
        final String formula;
        /** ∂L/∂ŷ as a formula. */
        final String gradientFormula;

        Loss(String title, String formula, String gradientFormula) {
            this.title = title;
            this.formula = formula;
            this.gradientFormula = gradientFormula;
        }

        abstract double value(double[] yhat, double[] y);

        /** ∂L/∂ŷ, element by element. */
        abstract double[] gradient(double[] yhat, double[] y);

        abstract Tensor value(Tensor yhat, Tensor y);

        static Loss parse(String name) {
            return switch (name) {
                case "bce" -> BCE;
                case "mse" -> MSE;
                default -> throw new IllegalArgumentException("unknown loss '" + name + "' (expected bce or mse)");
            };
        }
    }

    /** Values of the forward pass: z[l] and h[l] for l = 1..L (index 0 of h is x; z[0] is unused). */
    record Forward(double[][] z, double[][] h, double loss) {
        double[] yhat() {
            return h[h.length - 1];
        }
    }

    /**
     * Every step of the backward pass, indexed by layer l = 1..L: ∂L/∂h_l (for l = L this is ∂L/∂ŷ), f'(z_l),
     * δ_l = ∂L/∂z_l, ∂L/∂W_l = δ_l·h_(l−1)ᵀ and ∂L/∂b_l = δ_l.
     */
    record Backward(double[][] dh, double[][] slope, double[][] delta, double[][][] dw, double[][] db) {}

    final int[] sizes;
    final double[][][] w;
    final double[][] b;
    final Activation activation;
    final Loss loss;

    HandNet(int[] sizes, double[][][] w, double[][] b, Activation activation, Loss loss) {
        this.sizes = sizes.clone();
        this.w = w;
        this.b = b;
        this.activation = activation;
        this.loss = loss;
    }

    /** Weights and biases uniform in [−1, 1], rounded to two decimals so that the printed values are exact. */
    static HandNet random(int[] sizes, Generator gen, Activation activation, Loss loss) {
        int layers = sizes.length - 1;
        double[][][] w = new double[layers + 1][][];
        double[][] b = new double[layers + 1][];
        for (int l = 1; l <= layers; l++) {
            w[l] = new double[sizes[l]][];
            for (int i = 0; i < sizes[l]; i++) {
                w[l][i] = roundedUniform(gen, sizes[l - 1]);
            }
            b[l] = roundedUniform(gen, sizes[l]);
        }
        return new HandNet(sizes, w, b, activation, loss);
    }

    /** n values uniform in [−1, 1], rounded to two decimals. */
    static double[] roundedUniform(Generator gen, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.round((2 * gen.nextDouble() - 1) * 100) / 100.0;
        }
        return v;
    }

    int layers() {
        return sizes.length - 1;
    }

    /** The activation of layer l: the hidden one, and σ at the output so that ŷ lies in (0, 1). */
    Activation activation(int l) {
        return l == layers() ? Activation.SIGMOID : activation;
    }

    Forward forward(double[] x, double[] y) {
        int layers = layers();
        double[][] z = new double[layers + 1][];
        double[][] h = new double[layers + 1][];
        h[0] = x;
        for (int l = 1; l <= layers; l++) {
            z[l] = new double[sizes[l]];
            h[l] = new double[sizes[l]];
            for (int i = 0; i < sizes[l]; i++) {
                double s = b[l][i];
                for (int j = 0; j < sizes[l - 1]; j++) {
                    s += w[l][i][j] * h[l - 1][j];
                }
                z[l][i] = s;
                h[l][i] = activation(l).apply(s);
            }
        }
        return new Forward(z, h, loss.value(h[layers], y));
    }

    Backward backward(Forward f, double[] y) {
        int layers = layers();
        double[][] dh = new double[layers + 1][];
        double[][] slope = new double[layers + 1][];
        double[][] delta = new double[layers + 1][];
        double[][][] dw = new double[layers + 1][][];
        double[][] db = new double[layers + 1][];
        dh[layers] = loss.gradient(f.yhat(), y);
        for (int l = layers; l >= 1; l--) {
            if (l < layers) {
                dh[l] = new double[sizes[l]];
                for (int j = 0; j < sizes[l]; j++) {
                    for (int i = 0; i < sizes[l + 1]; i++) {
                        dh[l][j] += w[l + 1][i][j] * delta[l + 1][i];
                    }
                }
            }
            slope[l] = new double[sizes[l]];
            delta[l] = new double[sizes[l]];
            for (int i = 0; i < sizes[l]; i++) {
                slope[l][i] = activation(l).derivative(f.z()[l][i], f.h()[l][i]);
                delta[l][i] = dh[l][i] * slope[l][i];
            }
            dw[l] = new double[sizes[l]][sizes[l - 1]];
            for (int i = 0; i < sizes[l]; i++) {
                for (int j = 0; j < sizes[l - 1]; j++) {
                    dw[l][i][j] = delta[l][i] * f.h()[l - 1][j];
                }
            }
            db[l] = delta[l].clone();
        }
        return new Backward(dh, slope, delta, dw, db);
    }

    /** One gradient-descent step, W ← W − η·∂L/∂W and b ← b − η·∂L/∂b, as a new network. */
    HandNet step(Backward g, double lr) {
        double[][][] w2 = new double[w.length][][];
        double[][] b2 = new double[b.length][];
        for (int l = 1; l <= layers(); l++) {
            w2[l] = new double[sizes[l]][sizes[l - 1]];
            b2[l] = new double[sizes[l]];
            for (int i = 0; i < sizes[l]; i++) {
                for (int j = 0; j < sizes[l - 1]; j++) {
                    w2[l][i][j] = w[l][i][j] - lr * g.dw()[l][i][j];
                }
                b2[l][i] = b[l][i] - lr * g.db()[l][i];
            }
        }
        return new HandNet(sizes, w2, b2, activation, loss);
    }

    /** A copy with one parameter element moved by {@code shift}: W_l[i][j] when {@code j >= 0}, else b_l[i]. */
    HandNet shifted(int l, int i, int j, double shift) {
        double[][][] w2 = new double[w.length][][];
        double[][] b2 = new double[b.length][];
        for (int k = 1; k <= layers(); k++) {
            w2[k] = new double[sizes[k]][];
            for (int r = 0; r < sizes[k]; r++) {
                w2[k][r] = w[k][r].clone();
            }
            b2[k] = b[k].clone();
        }
        if (j >= 0) {
            w2[l][i][j] += shift;
        } else {
            b2[l][i] += shift;
        }
        return new HandNet(sizes, w2, b2, activation, loss);
    }
}
