package dev.nabla.optim;

import dev.nabla.tensor.Tensor;
import java.util.List;

/**
 * Adagrad (Duchi et al., 2011): per-element step sizes that shrink with the sum of all past squared gradients, suited
 * to sparse features; the semantics and defaults (lr 0.01, lr decay 0, weight decay 0, initial accumulator 0, eps
 * 1e-10) are PyTorch's {@code torch.optim.Adagrad}.
 *
 * <p>At a parameter's update t with gradient g: {@code g ← g + weightDecay·p}, {@code s ← s + g²},
 * {@code p ← p − lr/(1 + (t−1)·lrDecay) · g/(√s + eps)}. State: {@code sum}, starting at the initial accumulator
 * value.
 */
public final class Adagrad extends Optimizer {
    private final double lrDecay;
    private final double weightDecay;
    private final double initialAccumulatorValue;
    private final double eps;

    /** Adagrad with PyTorch's defaults. */
    public Adagrad(List<Tensor> params) {
        this(params, 0.01);
    }

    /** Adagrad with the given learning rate and PyTorch's other defaults. */
    public Adagrad(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, 1e-10);
    }

    /** Every setting, in PyTorch's order. */
    public Adagrad(List<Tensor> params, double lr, double lrDecay, double weightDecay, double initialAccumulatorValue,
            double eps) {
        super(params, lr, "sum");
        requireAtLeast("lrDecay", lrDecay, 0);
        requireAtLeast("weightDecay", weightDecay, 0);
        requireAtLeast("initialAccumulatorValue", initialAccumulatorValue, 0);
        requireAbove("eps", eps, 0);
        this.lrDecay = lrDecay;
        this.weightDecay = weightDecay;
        this.initialAccumulatorValue = initialAccumulatorValue;
        this.eps = eps;
    }

    @Override
    protected double initialStateValue(int buffer) {
        return initialAccumulatorValue;
    }

    @Override
    protected void updateFloat(float[] p, float[] g, Tensor[] state, long step) {
        float[] sum = state[0].floatData();
        float clr = (float) (learningRate() / (1 + (step - 1) * lrDecay));
        float wd = (float) weightDecay;
        float e = (float) eps;
        for (int i = 0; i < p.length; i++) {
            float gi = g[i] + wd * p[i];
            float s = flush(sum[i] + gi * gi);
            sum[i] = s;
            p[i] -= clr * (gi / ((float) Math.sqrt(s) + e));
        }
    }

    @Override
    protected void updateDouble(double[] p, double[] g, Tensor[] state, long step) {
        double[] sum = state[0].doubleData();
        double clr = learningRate() / (1 + (step - 1) * lrDecay);
        for (int i = 0; i < p.length; i++) {
            double gi = g[i] + weightDecay * p[i];
            double s = flush(sum[i] + gi * gi);
            sum[i] = s;
            p[i] -= clr * (gi / (Math.sqrt(s) + eps));
        }
    }
}
