package dev.nabla.optim;

import dev.nabla.tensor.Tensor;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter, 2019), which shrinks the weights directly instead of
 * adding an L2 term to the gradient; the semantics and defaults (lr 0.001, betas 0.9 and 0.999, eps 1e-8, weight
 * decay 0.01) are PyTorch's {@code torch.optim.AdamW}.
 *
 * <p>Each update first sets {@code p ← p·(1 − lr·weightDecay)}, then takes {@link Adam}'s step on the raw gradient.
 * State: {@code exp_avg} and {@code exp_avg_sq}.
 */
public final class AdamW extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;

    /** AdamW with PyTorch's defaults. */
    public AdamW(List<Tensor> params) {
        this(params, 0.001);
    }

    /** AdamW with the given learning rate and PyTorch's other defaults. */
    public AdamW(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0.01);
    }

    /** Every setting, in PyTorch's order. */
    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
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
        Adam.updateFloat(p, g, state, step, learningRate(), beta1, beta2, eps, 0, weightDecay);
    }

    @Override
    protected void updateDouble(double[] p, double[] g, Tensor[] state, long step) {
        Adam.updateDouble(p, g, state, step, learningRate(), beta1, beta2, eps, 0, weightDecay);
    }
}
