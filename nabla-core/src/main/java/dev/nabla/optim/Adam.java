package dev.nabla.optim;

import dev.nabla.kernel.Fused;
import dev.nabla.tensor.Tensor;
import java.util.List;

/**
 * Adam (Kingma &amp; Ba, 2015): per-element step sizes from bias-corrected running averages of the gradient and its
 * square; the semantics and defaults (lr 0.001, betas 0.9 and 0.999, eps 1e-8, no weight decay) are PyTorch's
 * {@code torch.optim.Adam}.
 *
 * <p>With gradient g at a parameter's update t: {@code g ← g + weightDecay·p} (coupled L2, unlike {@link AdamW}),
 * {@code m ← β₁m + (1−β₁)g}, {@code v ← β₂v + (1−β₂)g²},
 * {@code p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + eps)}. State: {@code exp_avg} (m) and {@code exp_avg_sq} (v).
 */
public final class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;

    /** Adam with PyTorch's defaults. */
    public Adam(List<Tensor> params) {
        this(params, 0.001);
    }

    /** Adam with the given learning rate and PyTorch's other defaults. */
    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0);
    }

    /** Every setting, in PyTorch's order. */
    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(params, lr, "exp_avg", "exp_avg_sq");
        requireUnitInterval("beta1", beta1);
        requireUnitInterval("beta2", beta2);
        requireAbove("eps", eps, 0);
        requireAtLeast("weightDecay", weightDecay, 0);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    @Override
    protected void updateFloat(float[] p, float[] g, Tensor[] state, long step) {
        updateFloat(p, g, state, step, learningRate(), beta1, beta2, eps, weightDecay, 0);
    }

    @Override
    protected void updateDouble(double[] p, double[] g, Tensor[] state, long step) {
        updateDouble(p, g, state, step, learningRate(), beta1, beta2, eps, weightDecay, 0);
    }

    /** The fused Adam/AdamW update: {@code l2} is coupled weight decay (Adam), {@code decoupled} AdamW's. */
    static void updateFloat(float[] p, float[] g, Tensor[] state, long step, double lr, double beta1, double beta2,
            double eps, double l2, double decoupled) {
        float[] m = state[0].floatData();
        float[] v = state[1].floatData();
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float c1 = (float) (1 - beta1);
        float c2 = (float) (1 - beta2);
        float wd = (float) l2;
        float shrink = (float) (1 - lr * decoupled);
        float stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
        float invBc2Sqrt = (float) (1 / Math.sqrt(1 - Math.pow(beta2, step)));
        Fused.adam(p, g, m, v, b1, c1, b2, c2, wd, shrink, stepSize, invBc2Sqrt, (float) eps);
    }

    static void updateDouble(double[] p, double[] g, Tensor[] state, long step, double lr, double beta1, double beta2,
            double eps, double l2, double decoupled) {
        double[] m = state[0].doubleData();
        double[] v = state[1].doubleData();
        double shrink = 1 - lr * decoupled;
        double stepSize = lr / (1 - Math.pow(beta1, step));
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        for (int i = 0; i < p.length; i++) {
            double pi = p[i];
            double gi = g[i] + l2 * pi;
            double mi = flush(beta1 * m[i] + (1 - beta1) * gi);
            double vi = flush(beta2 * v[i] + (1 - beta2) * gi * gi);
            m[i] = mi;
            v[i] = vi;
            p[i] = pi * shrink - stepSize * (mi / (Math.sqrt(vi) / bc2Sqrt + eps));
        }
    }
}
