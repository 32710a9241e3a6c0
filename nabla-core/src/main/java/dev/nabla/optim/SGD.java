package dev.nabla.optim;

import dev.nabla.tensor.Tensor;
import java.util.List;

/**
 * Stochastic gradient descent, {@code p ← p − lr·d}, optionally with momentum, dampening, Nesterov momentum and L2
 * weight decay; the semantics and defaults are PyTorch's {@code torch.optim.SGD}.
 *
 * <p>With gradient g: {@code d = g + weightDecay·p}; with momentum, the buffer starts as {@code b = d} on a
 * parameter's first update and then follows {@code b ← momentum·b + (1 − dampening)·d}, and the step uses
 * {@code d + momentum·b} (Nesterov) or {@code b}. State: {@code momentum_buffer} when momentum is non-zero.
 */
public final class SGD extends Optimizer {
    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;

    /** Plain gradient descent, {@code p ← p − lr·g}. */
    public SGD(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, false);
    }

    /** Gradient descent with (heavy-ball) momentum. */
    public SGD(List<Tensor> params, double lr, double momentum) {
        this(params, lr, momentum, 0, 0, false);
    }

    /** Every setting, in PyTorch's order; Nesterov momentum needs momentum &gt; 0 and dampening 0. */
    public SGD(List<Tensor> params, double lr, double momentum, double dampening, double weightDecay,
            boolean nesterov) {
        super(params, lr, momentum != 0 ? new String[] {"momentum_buffer"} : new String[0]);
        requireAtLeast("momentum", momentum, 0);
        requireAtLeast("dampening", dampening, 0);
        requireAtLeast("weightDecay", weightDecay, 0);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: nesterov needs momentum > 0 and dampening 0, got momentum "
                    + momentum + " and dampening " + dampening);
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    @Override
    protected void updateFloat(float[] p, float[] g, Tensor[] state, long step) {
        float lr = (float) learningRate();
        float wd = (float) weightDecay;
        if (momentum == 0) {
            for (int i = 0; i < p.length; i++) {
                p[i] -= lr * (g[i] + wd * p[i]);
            }
            return;
        }
        float[] buf = state[0].floatData();
        float mom = (float) momentum;
        float keep = step == 1 ? 0f : mom;
        float take = step == 1 ? 1f : (float) (1 - dampening);
        for (int i = 0; i < p.length; i++) {
            float d = g[i] + wd * p[i];
            float b = flush(keep * buf[i] + take * d);
            buf[i] = b;
            p[i] -= lr * (nesterov ? d + mom * b : b);
        }
    }

    @Override
    protected void updateDouble(double[] p, double[] g, Tensor[] state, long step) {
        double lr = learningRate();
        if (momentum == 0) {
            for (int i = 0; i < p.length; i++) {
                p[i] -= lr * (g[i] + weightDecay * p[i]);
            }
            return;
        }
        double[] buf = state[0].doubleData();
        double keep = step == 1 ? 0 : momentum;
        double take = step == 1 ? 1 : 1 - dampening;
        for (int i = 0; i < p.length; i++) {
            double d = g[i] + weightDecay * p[i];
            double b = flush(keep * buf[i] + take * d);
            buf[i] = b;
            p[i] -= lr * (nesterov ? d + momentum * b : b);
        }
    }
}
