package dev.nabla.optim;

import dev.nabla.tensor.Tensor;
import java.util.List;

/**
 * RMSProp (Hinton, 2012): divides the gradient by a running root mean square of recent gradients; the semantics and
 * defaults (lr 0.01, alpha 0.99, eps 1e-8, no momentum, not centered) are PyTorch's {@code torch.optim.RMSprop}.
 *
 * <p>With gradient g: {@code g ← g + weightDecay·p}, {@code s ← αs + (1−α)g²}; centered, also
 * {@code a ← αa + (1−α)g} and {@code r = √(s − a²) + eps}, else {@code r = √s + eps}; then
 * {@code p ← p − lr·g/r}, or with momentum {@code b ← momentum·b + g/r}, {@code p ← p − lr·b}. State:
 * {@code square_avg}, plus {@code grad_avg} when centered and {@code momentum_buffer} when momentum &gt; 0.
 */
public final class RMSProp extends Optimizer {
    private final double alpha;
    private final double eps;
    private final double weightDecay;
    private final double momentum;
    private final boolean centered;

    /** RMSProp with PyTorch's defaults. */
    public RMSProp(List<Tensor> params) {
        this(params, 0.01);
    }

    /** RMSProp with the given learning rate and PyTorch's other defaults. */
    public RMSProp(List<Tensor> params, double lr) {
        this(params, lr, 0.99, 1e-8, 0, 0, false);
    }

    /** Every setting, in PyTorch's order. */
    public RMSProp(List<Tensor> params, double lr, double alpha, double eps, double weightDecay, double momentum,
            boolean centered) {
        super(params, lr, stateNames(momentum, centered));
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("RMSProp: alpha must be in [0, 1], got " + alpha);
        }
        requireAbove("eps", eps, 0);
        requireAtLeast("weightDecay", weightDecay, 0);
        requireAtLeast("momentum", momentum, 0);
        this.alpha = alpha;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.momentum = momentum;
        this.centered = centered;
    }

    private static String[] stateNames(double momentum, boolean centered) {
        if (centered) {
            return momentum > 0 ? new String[] {"square_avg", "grad_avg", "momentum_buffer"}
                    : new String[] {"square_avg", "grad_avg"};
        }
        return momentum > 0 ? new String[] {"square_avg", "momentum_buffer"} : new String[] {"square_avg"};
    }

    @Override
    protected void updateFloat(float[] p, float[] g, Tensor[] state, long step) {
        float[] sq = state[0].floatData();
        float[] avg = centered ? state[1].floatData() : null;
        float[] buf = momentum > 0 ? state[state.length - 1].floatData() : null;
        float lr = (float) learningRate();
        float a = (float) alpha;
        float c = (float) (1 - alpha);
        float e = (float) eps;
        float wd = (float) weightDecay;
        float mom = (float) momentum;
        for (int i = 0; i < p.length; i++) {
            float gi = g[i] + wd * p[i];
            float s = flush(a * sq[i] + c * gi * gi);
            sq[i] = s;
            float r;
            if (avg != null) {
                float ai = flush(a * avg[i] + c * gi);
                avg[i] = ai;
                r = (float) Math.sqrt(s - ai * ai) + e;
            } else {
                r = (float) Math.sqrt(s) + e;
            }
            if (buf != null) {
                float b = flush(mom * buf[i] + gi / r);
                buf[i] = b;
                p[i] -= lr * b;
            } else {
                p[i] -= lr * (gi / r);
            }
        }
    }

    @Override
    protected void updateDouble(double[] p, double[] g, Tensor[] state, long step) {
        double[] sq = state[0].doubleData();
        double[] avg = centered ? state[1].doubleData() : null;
        double[] buf = momentum > 0 ? state[state.length - 1].doubleData() : null;
        double lr = learningRate();
        for (int i = 0; i < p.length; i++) {
            double gi = g[i] + weightDecay * p[i];
            double s = flush(alpha * sq[i] + (1 - alpha) * gi * gi);
            sq[i] = s;
            double r;
            if (avg != null) {
                double ai = flush(alpha * avg[i] + (1 - alpha) * gi);
                avg[i] = ai;
                r = Math.sqrt(s - ai * ai) + eps;
            } else {
                r = Math.sqrt(s) + eps;
            }
            if (buf != null) {
                double b = flush(momentum * buf[i] + gi / r);
                buf[i] = b;
                p[i] -= lr * b;
            } else {
                p[i] -= lr * (gi / r);
            }
        }
    }
}
