package dev.nabla.nn;

import dev.nabla.autograd.GradMode;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A part of a network: owns named parameters (trained) and buffers (saved, not trained), and child modules.
 *
 * <p>Names are dotted paths ({@code "0.weight"}), so weights can be saved and loaded by name. The Keras layer
 * contract is here too: {@link #build} creates parameters once the input shape is known (so a {@link Linear} after
 * {@link Flatten} needs no hand-computed size) and returns the output shape. Shapes given to {@code build} and
 * returned by it leave out the batch dimension.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, Generator> generators = new LinkedHashMap<>();
    private boolean training = true;

    /** The layer's computation on a batch. */
    public abstract Tensor forward(Tensor input);

    /**
     * Creates any parameters that depend on the input shape (without batch dimension) and returns the output shape.
     * The default runs {@link #forward} on a zero batch of one, which suits layers without such parameters.
     */
    public int[] build(int[] inputShape, Generator generator) {
        int[] batched = new int[inputShape.length + 1];
        batched[0] = 1;
        System.arraycopy(inputShape, 0, batched, 1, inputShape.length);
        try (var scope = GradMode.noGrad()) {
            int[] out = forward(Tensor.zeros(batched)).shape();
            return Arrays.copyOfRange(out, 1, out.length);
        }
    }

    /**
     * The layer's settings, enough to rebuild it without its weights (Keras's {@code get_config}): plain values
     * (numbers, strings, booleans, lists, maps) keyed by name. Saved in model files with the type name; see
     * {@link Layers} for how a layer is rebuilt from them. The default, for layers without settings, is empty.
     */
    public Map<String, Object> config() {
        return Map.of();
    }

    /** The Keras-style layer type shown by {@code summary()}, e.g. "Linear"; also its type in model files. */
    public String typeName() {
        return getClass().getSimpleName();
    }

    /** Registers a trainable tensor under {@code name}; it is marked as requiring gradients. */
    protected Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        value.requiresGrad(true);
        value.name(name);
        parameters.put(name, value);
        return value;
    }

    /** Registers a saved, untrained tensor (such as running statistics) under {@code name}. */
    protected Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    /**
     * Registers a random-number generator the layer draws from while training (dropout masks, noise), so that a
     * checkpoint saves its {@link Generator#state()} and a resumed run draws the same numbers. Generators used only
     * by {@link #build} (weight initialisation) need no registration.
     */
    protected Generator registerGenerator(String name, Generator generator) {
        checkName(name);
        generators.put(name, generator);
        return generator;
    }

    /** Registers a child module under {@code name}. */
    protected <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(typeName() + ": invalid name '" + name + "' (non-empty, no dots)");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)
                || generators.containsKey(name)) {
            throw new IllegalArgumentException(typeName() + ": name '" + name + "' is already registered");
        }
    }

    /** Direct children in registration order. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** All parameters, this module's and its descendants', by dotted name. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true);
        return out;
    }

    /** All buffers by dotted name. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean params) {
        (params ? parameters : buffers).forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(prefix + k + ".", out, params));
    }

    /** All registered generators, this module's and its descendants', by dotted name (what checkpoints save). */
    public Map<String, Generator> namedGenerators() {
        Map<String, Generator> out = new LinkedHashMap<>();
        collectGenerators("", out);
        return out;
    }

    private void collectGenerators(String prefix, Map<String, Generator> out) {
        generators.forEach((k, g) -> out.put(prefix + k, g));
        children.forEach((k, m) -> m.collectGenerators(prefix + k + ".", out));
    }

    /** All parameters, in a stable order (for optimizers). */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Total number of scalar parameters. */
    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) {
            n += p.numel();
        }
        return n;
    }

    /** Parameters and buffers by name: what a model file stores. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = namedParameters();
        out.putAll(namedBuffers());
        return out;
    }

    /**
     * Copies tensors into this module's parameters and buffers by name. Strict loading fails on missing and on
     * unexpected keys; a shape mismatch always fails. Messages name the key and both shapes.
     */
    public void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        Set<String> missing = new TreeSet<>(own.keySet());
        missing.removeAll(state.keySet());
        Set<String> unexpected = new TreeSet<>(state.keySet());
        unexpected.removeAll(own.keySet());
        if (strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
            throw new IllegalArgumentException("loadStateDict: " + (missing.isEmpty() ? "" : "missing keys " + missing)
                    + (missing.isEmpty() || unexpected.isEmpty() ? "" : "; ")
                    + (unexpected.isEmpty() ? "" : "unexpected keys " + unexpected));
        }
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor source = state.get(e.getKey());
            if (source == null) {
                continue;
            }
            Tensor target = e.getValue();
            if (!Arrays.equals(source.shape(), target.shape())) {
                throw new IllegalArgumentException("loadStateDict: '" + e.getKey() + "' has shape "
                        + Shapes.str(source.shape()) + " in the state but " + Shapes.str(target.shape())
                        + " in the model");
            }
            try (var scope = GradMode.noGrad()) {
                target.copyFrom(source);
            }
        }
    }

    /** Sets training mode (dropout active, batch statistics) on this module and its descendants. */
    public Module train(boolean mode) {
        training = mode;
        children.values().forEach(m -> m.train(mode));
        return this;
    }

    /** Sets evaluation mode. */
    public Module eval() {
        return train(false);
    }

    /** True in training mode. */
    public boolean isTraining() {
        return training;
    }

    /** Clears the gradients of all parameters. */
    public void zeroGrad() {
        parameters().forEach(Tensor::zeroGrad);
    }

    @Override
    public String toString() {
        if (children.isEmpty()) {
            return typeName() + "(" + describe() + ")";
        }
        StringBuilder sb = new StringBuilder(typeName()).append("(\n");
        children.forEach((k, m) -> sb.append("  (").append(k).append("): ")
                .append(m.toString().replace("\n", "\n  ")).append('\n'));
        return sb.append(')').toString();
    }

    /** The layer's settings for {@link #toString}, e.g. "in=784, out=256". */
    protected String describe() {
        return "";
    }
}
