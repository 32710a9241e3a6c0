package dev.nabla.optim;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Gradient clipping, the usual remedy for exploding gradients: rescales or clamps the gradients of a list of
 * parameters between {@code backward()} and {@code step()}. Parameters without a gradient are skipped.
 *
 * <p>A gradient that owns its storage and is not itself part of a graph is changed in place (the usual case:
 * backward gives each parameter its own copy); any other is replaced by a new tensor through {@link Tensor#setGrad}.
 */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales all gradients by one factor so that their global L2 norm (the norm of all elements of all gradients
     * together) is at most {@code maxNorm}, and returns the norm before clipping; PyTorch's
     * {@code clip_grad_norm_} semantics: the factor is {@code maxNorm / (norm + 1e-6)}, applied only when below 1.
     */
    public static double byGlobalNorm(List<Tensor> params, double maxNorm) {
        if (!(maxNorm >= 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("GradClip.byGlobalNorm: maxNorm must be a finite number >= 0, got "
                    + maxNorm);
        }
        double sumSq = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            if (g.dtype() == DType.FLOAT32) {
                for (float v : values(g)) {
                    sumSq += (double) v * v;
                }
            } else {
                for (double v : doubleValues(g)) {
                    sumSq += v * v;
                }
            }
        }
        double total = Math.sqrt(sumSq);
        double scale = maxNorm / (total + 1e-6);
        if (scale < 1) {
            Set<Object> done = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) {
                    transform(p, g, done, scale, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
                }
            }
        }
        return total;
    }

    /** Clamps every gradient element to {@code [-clip, clip]} (PyTorch's {@code clip_grad_value_}). */
    public static void byValue(List<Tensor> params, double clip) {
        if (!(clip >= 0) || Double.isInfinite(clip)) {
            throw new IllegalArgumentException("GradClip.byValue: clip must be a finite number >= 0, got " + clip);
        }
        Set<Object> done = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g != null) {
                transform(p, g, done, 1, -clip, clip);
            }
        }
    }

    /**
     * Sets {@code g ← clamp(scale·g, lo, hi)}. Arrays already transformed (one gradient shared by two parameters,
     * possible with createGraph) are left alone.
     */
    private static void transform(Tensor p, Tensor g, Set<Object> done, double scale, double lo, double hi) {
        boolean inPlace = !g.requiresGrad() && ownsStorage(g);
        if (g.dtype() == DType.FLOAT32) {
            float[] v = inPlace ? g.floatData() : g.toFloatArray();
            if (!done.add(v)) {
                return;
            }
            float s = (float) scale;
            float l = (float) lo;
            float h = (float) hi;
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.min(Math.max(s * v[i], l), h);
            }
            if (!inPlace) {
                p.setGrad(Tensor.fromArray(v, g.shape()));
            }
        } else {
            double[] v = inPlace ? g.doubleData() : g.toDoubleArray();
            if (!done.add(v)) {
                return;
            }
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.min(Math.max(scale * v[i], lo), hi);
            }
            if (!inPlace) {
                p.setGrad(Tensor.fromArray(v, g.shape()));
            }
        }
    }

    private static boolean ownsStorage(Tensor g) {
        return g.ownsStorage();
    }

    private static float[] values(Tensor g) {
        return ownsStorage(g) ? g.floatData() : g.toFloatArray();
    }

    private static double[] doubleValues(Tensor g) {
        return ownsStorage(g) ? g.doubleData() : g.toDoubleArray();
    }
}
