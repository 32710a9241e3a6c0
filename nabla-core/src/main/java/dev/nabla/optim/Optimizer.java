package dev.nabla.optim;

import dev.nabla.autograd.GradMode;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates a fixed list of parameters from their gradients, keeping per-parameter state (moment estimates, momentum
 * buffers) that {@link #stateDict()} exports so a checkpoint resumes training bit for bit.
 *
 * <p>A subclass names its state buffers and implements one fused update per element type; this class walks the
 * parameters, skips those without a gradient, counts steps, allocates state lazily (on a parameter's first update, as
 * PyTorch does) and runs the update under {@link GradMode#noGrad()}. State buffers have the parameter's shape and
 * element type.
 *
 * <p>Updates flush denormal state values to zero: the JVM cannot set the CPU's flush-to-zero mode, and moment buffers
 * that decay towards zero fill with denormals that make arithmetic on them about a hundred times slower. Any state
 * value whose magnitude is below {@link Float#MIN_NORMAL} (float32) or {@link Double#MIN_NORMAL} (float64) is stored
 * as 0, which changes results by less than 1.2e-38.
 */
public abstract class Optimizer {
    private final List<Tensor> params;
    private final String[] stateNames;
    private final Tensor[][] state;
    private final long[] paramSteps;
    private double learningRate;
    private long stepCount;

    /**
     * Checks the parameters (leaf tensors that require gradients, own their storage, and appear once) and the
     * learning rate; {@code stateNames} are the per-parameter buffers the subclass keeps, in the order it receives
     * them in {@link #updateFloat} and {@link #updateDouble}.
     */
    protected Optimizer(List<Tensor> params, double learningRate, String... stateNames) {
        String op = getClass().getSimpleName();
        if (params == null || params.isEmpty()) {
            throw new IllegalArgumentException(op + ": params is empty; pass the tensors to optimize");
        }
        Map<Tensor, Integer> seen = new IdentityHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p == null) {
                throw new IllegalArgumentException(op + ": parameter " + i + " is null");
            }
            Integer first = seen.put(p, i);
            if (first != null) {
                throw new IllegalArgumentException(op + ": parameter " + i + " is the same tensor as parameter " + first);
            }
            if (!p.isLeaf() || !p.requiresGrad()) {
                throw new IllegalArgumentException(op + ": parameter " + describe(i, p) + " must be a leaf tensor with"
                        + " requiresGrad(true), got " + (p.isLeaf() ? "requiresGrad false" : "the result of " + p.gradFn()));
            }
            if (!p.ownsStorage()) {
                throw new IllegalArgumentException(op + ": parameter " + describe(i, p)
                        + " is a view of another tensor's storage; parameters must own their storage");
            }
        }
        this.params = Collections.unmodifiableList(new ArrayList<>(params));
        this.stateNames = stateNames.clone();
        this.state = new Tensor[params.size()][];
        this.paramSteps = new long[params.size()];
        setLearningRate(learningRate);
    }

    /** "2 ('dense.weight' float32 [3, 4])": a parameter as error messages name it. */
    static String describe(int index, Tensor p) {
        return index + " (" + (p.name() != null ? "'" + p.name() + "' " : "") + p.dtype() + " "
                + Arrays.toString(p.shape()) + ")";
    }

    /** The parameters this optimizer updates, in order (their index is their key prefix in the state dict). */
    public List<Tensor> params() {
        return params;
    }

    /** The learning rate the next {@link #step()} uses. */
    public double learningRate() {
        return learningRate;
    }

    /** Sets the learning rate for the following steps (schedules call this once per epoch). */
    public void setLearningRate(double lr) {
        requireAtLeast("lr", lr, 0);
        this.learningRate = lr;
    }

    /** The number of {@link #step()} calls so far (restored by {@link #loadStateDict}). */
    public long stepCount() {
        return stepCount;
    }

    /**
     * Clears every parameter's gradient, so the next backward starts afresh. The buffers are kept for the next
     * backward to write into ({@link Tensor#recycleGrad}, PyTorch's {@code zero_grad(set_to_none=False)}): a gradient
     * tensor taken before this call is overwritten by the next backward; copy it to keep it.
     */
    public void zeroGrad() {
        for (Tensor p : params) {
            p.recycleGrad();
        }
    }

    /** Updates every parameter that has a gradient; parameters whose gradient is null are left as they are. */
    public void step() {
        try (var scope = GradMode.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                Tensor g = p.grad();
                if (g == null) {
                    continue;
                }
                Tensor[] s = stateOf(i);
                long t = ++paramSteps[i];
                if (p.dtype() == DType.FLOAT32) {
                    updateFloat(p.floatData(), floatArray(g), s, t);
                } else {
                    updateDouble(p.doubleData(), doubleArray(g), s, t);
                }
            }
        }
        stepCount++;
    }

    /**
     * One optimization step on a loss, in TensorFlow's {@code optimizer.minimize(loss)} style: {@link #zeroGrad()},
     * {@code loss.backward()}, {@link #step()}.
     */
    public void minimize(Tensor loss) {
        zeroGrad();
        loss.backward();
        step();
    }

    /**
     * The fused update of one float32 parameter in place: one pass over {@code param}, reading {@code grad} and
     * reading and writing the state buffers (as named in the constructor, each with the parameter's shape).
     * {@code step} counts this parameter's updates, 1 on the first.
     */
    protected abstract void updateFloat(float[] param, float[] grad, Tensor[] state, long step);

    /** The same update for a float64 parameter. */
    protected abstract void updateDouble(double[] param, double[] grad, Tensor[] state, long step);

    /** The value a state buffer holds before the first update (0 unless a subclass says otherwise). */
    protected double initialStateValue(int buffer) {
        return 0;
    }

    /** 0 for float32 values too small to be normal, else {@code v} (see the class comment). */
    protected static float flush(float v) {
        return Math.abs(v) < Float.MIN_NORMAL ? 0f : v;
    }

    /** 0 for float64 values too small to be normal, else {@code v}. */
    protected static double flush(double v) {
        return Math.abs(v) < Double.MIN_NORMAL ? 0.0 : v;
    }

    private Tensor[] stateOf(int i) {
        if (state[i] == null) {
            Tensor p = params.get(i);
            Tensor[] s = new Tensor[stateNames.length];
            for (int b = 0; b < s.length; b++) {
                s[b] = Tensor.full(p.dtype(), initialStateValue(b), p.shape());
            }
            state[i] = s;
        }
        return state[i];
    }

    /** The gradient's values: its own array when it owns one (the usual case, no copy), else a copy. */
    private static float[] floatArray(Tensor g) {
        return g.ownsStorage() ? g.floatData() : g.toFloatArray();
    }

    private static double[] doubleArray(Tensor g) {
        return g.ownsStorage() ? g.doubleData() : g.toDoubleArray();
    }

    // ---------------------------------------------------------------- state dict

    /**
     * A copy of the optimizer's state: {@code "step"} (the number of steps) and {@code "lr"} as float64 scalars, and
     * for each parameter {@code i} that has been updated, {@code "i.step"} (its update count) and one tensor per
     * buffer, such as {@code "i.exp_avg"}. Loading it into an optimizer of the same kind and settings, over parameters
     * with the same values, continues the trajectory bit for bit.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("step", Tensor.scalar(DType.FLOAT64, stepCount));
        out.put("lr", Tensor.scalar(DType.FLOAT64, learningRate));
        for (int i = 0; i < params.size(); i++) {
            if (state[i] == null) {
                continue;
            }
            out.put(i + ".step", Tensor.scalar(DType.FLOAT64, paramSteps[i]));
            for (int b = 0; b < stateNames.length; b++) {
                out.put(i + "." + stateNames[b], copy(state[i][b]));
            }
        }
        return out;
    }

    /**
     * Replaces the optimizer's state with a copy of one made by {@link #stateDict()}; parameters without entries get
     * fresh state. Fails, changing nothing, on a missing or unknown key or a buffer of the wrong shape or type.
     */
    public void loadStateDict(Map<String, Tensor> dict) {
        String op = getClass().getSimpleName() + ".loadStateDict";
        long steps = count(op, dict, "step");
        double lr = scalar(op, dict, "lr");
        requireAtLeast("lr", lr, 0);
        Tensor[][] loaded = new Tensor[params.size()][];
        long[] loadedSteps = new long[params.size()];
        int used = 2;
        for (int i = 0; i < params.size(); i++) {
            if (!dict.containsKey(i + ".step")) {
                for (String name : stateNames) {
                    if (dict.containsKey(i + "." + name)) {
                        throw new IllegalArgumentException(op + ": key '" + i + "." + name + "' is present but '" + i
                                + ".step' is missing");
                    }
                }
                continue;
            }
            loadedSteps[i] = count(op, dict, i + ".step");
            Tensor p = params.get(i);
            loaded[i] = new Tensor[stateNames.length];
            for (int b = 0; b < stateNames.length; b++) {
                String key = i + "." + stateNames[b];
                Tensor t = dict.get(key);
                if (t == null) {
                    throw new IllegalArgumentException(op + ": key '" + key + "' is missing");
                }
                if (t.dtype() != p.dtype() || !Arrays.equals(t.shape(), p.shape())) {
                    throw new IllegalArgumentException(op + ": key '" + key + "' is " + t.dtype() + " "
                            + Arrays.toString(t.shape()) + " but parameter " + describe(i, p) + " needs "
                            + p.dtype() + " " + Arrays.toString(p.shape()));
                }
                loaded[i][b] = copy(t);
            }
            used += 1 + stateNames.length;
        }
        if (used != dict.size()) {
            for (String key : dict.keySet()) {
                if (!isKnownKey(key, loaded)) {
                    throw new IllegalArgumentException(op + ": unknown key '" + key + "' (expected 'step', 'lr', and"
                            + " 'i.step' and 'i.<buffer>' for parameters i in [0, " + params.size() + ") with buffers "
                            + Arrays.toString(stateNames) + ")");
                }
            }
        }
        for (int i = 0; i < params.size(); i++) {
            state[i] = loaded[i];
            paramSteps[i] = loadedSteps[i];
        }
        stepCount = steps;
        learningRate = lr;
    }

    private boolean isKnownKey(String key, Tensor[][] loaded) {
        if (key.equals("step") || key.equals("lr")) {
            return true;
        }
        int dot = key.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        int i;
        try {
            i = Integer.parseInt(key.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        if (i < 0 || i >= params.size() || loaded[i] == null) {
            return false;
        }
        String name = key.substring(dot + 1);
        return name.equals("step") || Arrays.asList(stateNames).contains(name);
    }

    private static double scalar(String op, Map<String, Tensor> dict, String key) {
        Tensor t = dict.get(key);
        if (t == null) {
            throw new IllegalArgumentException(op + ": key '" + key + "' is missing");
        }
        if (t.numel() != 1) {
            throw new IllegalArgumentException(op + ": key '" + key + "' must be a scalar, got shape "
                    + Arrays.toString(t.shape()));
        }
        return t.item();
    }

    private static long count(String op, Map<String, Tensor> dict, String key) {
        double v = scalar(op, dict, key);
        if (!(v >= 0) || v != Math.rint(v)) {
            throw new IllegalArgumentException(op + ": key '" + key + "' must be a whole number >= 0, got " + v);
        }
        return (long) v;
    }

    private static Tensor copy(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? Tensor.fromArray(t.toFloatArray(), t.shape())
                : Tensor.fromArray(t.toDoubleArray(), t.shape());
    }

    // ---------------------------------------------------------------- checks for subclasses

    /** Fails unless {@code value >= min}, naming this optimizer, the argument and the value. */
    protected final void requireAtLeast(String name, double value, double min) {
        if (!(value >= min) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + name + " must be a finite number >= "
                    + number(min) + ", got " + value);
        }
    }

    /** Fails unless {@code value > min}. */
    protected final void requireAbove(String name, double value, double min) {
        if (!(value > min) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + name + " must be a finite number > "
                    + number(min) + ", got " + value);
        }
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** Fails unless {@code 0 <= value < 1}. */
    protected final void requireUnitInterval(String name, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + name + " must be in [0, 1), got "
                    + value);
        }
    }
}
