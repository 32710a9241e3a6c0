package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fully connected layer, y = activation(x·Wᵀ + b): PyTorch's {@code Linear}, Keras's {@code Dense}.
 *
 * <p>The weight is stored PyTorch's way, {@code [out, in]}. Two ways to make one: {@code new Linear(in, out, gen)}
 * creates the parameters at once with PyTorch's default initialisation (U(±1/√in) for weight and bias);
 * {@link #dense(int, Activation)} waits for {@link #build} to learn the input size, then uses Keras's defaults
 * (Glorot-uniform weight, zero bias).
 */
public final class Linear extends Module {
    private final int outFeatures;
    private final Activation activation;
    private final Init.Initializer weightInit;
    private final Init.Initializer biasInit;
    private final boolean useBias;
    private int inFeatures = -1;
    private Tensor weight;
    private Tensor bias;

    /** A built layer with PyTorch's default initialisation and no activation. */
    public Linear(int inFeatures, int outFeatures, Generator generator) {
        this(inFeatures, outFeatures, Activation.LINEAR, true, Init.TORCH_DEFAULT, Init.uniformFanIn(inFeatures),
                generator);
    }

    /** A built layer with the given activation, bias switch and initialisers. */
    public Linear(int inFeatures, int outFeatures, Activation activation, boolean useBias, Init.Initializer weightInit,
            Init.Initializer biasInit, Generator generator) {
        this(outFeatures, activation, useBias, weightInit, biasInit);
        create(inFeatures, generator);
    }

    private Linear(int outFeatures, Activation activation, boolean useBias, Init.Initializer weightInit,
            Init.Initializer biasInit) {
        if (outFeatures <= 0) {
            throw new IllegalArgumentException("Linear: output size must be positive, got " + outFeatures);
        }
        this.outFeatures = outFeatures;
        this.activation = activation;
        this.useBias = useBias;
        this.weightInit = weightInit;
        this.biasInit = biasInit;
    }

    /** Keras's {@code Dense(units, activation)}: built on first use, Glorot-uniform weight, zero bias. */
    public static Linear dense(int units, Activation activation) {
        return new Linear(units, activation, true, Init.GLOROT_UNIFORM, Init.ZEROS);
    }

    /** Keras's {@code Dense(units)} with no activation. */
    public static Linear dense(int units) {
        return dense(units, Activation.LINEAR);
    }

    /**
     * An unbuilt layer from its {@link #config()}: "out", optional "in" (checked at build), "activation" (Keras
     * name, default "linear"), "bias" (default true). Until weights are loaded it has Keras's initialisation.
     */
    static Linear fromConfig(LayerConfig c) {
        int out = c.getInt("out");
        if (out <= 0) {
            throw c.error("out", "must be a positive integer, got " + out);
        }
        int in = c.getInt("in", -1);
        if (c.has("in") && in <= 0) {
            throw c.error("in", "must be a positive integer, got " + in);
        }
        Activation activation;
        try {
            activation = Activation.fromName(c.getString("activation", Activation.LINEAR.kerasName()));
        } catch (IllegalArgumentException e) {
            throw c.error("activation", "is invalid: " + e.getMessage());
        }
        Linear layer = new Linear(out, activation, c.getBoolean("bias", true), Init.GLOROT_UNIFORM, Init.ZEROS);
        layer.inFeatures = in;
        return layer;
    }

    private void create(int in, Generator generator) {
        if (in <= 0) {
            throw new IllegalArgumentException("Linear: input size must be positive, got " + in);
        }
        inFeatures = in;
        weight = registerParameter("weight", weightInit.create(generator, outFeatures, in));
        if (useBias) {
            bias = registerParameter("bias", biasInit.create(generator, outFeatures));
        }
    }

    @Override
    public int[] build(int[] inputShape, Generator generator) {
        if (inputShape.length == 0) {
            throw new IllegalArgumentException("Linear: input must have at least one feature dimension");
        }
        int in = inputShape[inputShape.length - 1];
        if (weight == null) {
            if (inFeatures > 0 && in != inFeatures) {
                throw new IllegalArgumentException("Linear(" + inFeatures + " -> " + outFeatures + "): input shape "
                        + Shapes.str(inputShape) + " has " + in + " features, the config says " + inFeatures);
            }
            create(in, generator);
        } else if (in != inFeatures) {
            throw new IllegalArgumentException("Linear(" + inFeatures + " -> " + outFeatures + "): input shape "
                    + Shapes.str(inputShape) + " has " + in + " features");
        }
        int[] out = inputShape.clone();
        out[out.length - 1] = outFeatures;
        return out;
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, activation);
    }

    /**
     * This layer followed by a {@link ReLU} layer, as one op ({@link Tensor#linearRelu}); {@link Sequential} runs the
     * pair this way when this layer has no activation of its own.
     */
    Tensor forwardThenRelu(Tensor x) {
        if (activation != Activation.LINEAR) {
            throw new IllegalStateException("Linear: forwardThenRelu needs no activation of its own, has " + activation);
        }
        return forward(x, Activation.RELU);
    }

    private Tensor forward(Tensor x, Activation act) {
        if (weight == null) {
            throw new IllegalStateException("Linear(units=" + outFeatures + ") is not built yet: call build(inputShape,"
                    + " generator) or add it to a model that builds it");
        }
        if (x.dim() == 0 || x.size(-1) != inFeatures) {
            throw new IllegalArgumentException("Linear(" + inFeatures + " -> " + outFeatures + "): input of shape "
                    + Shapes.str(x.shape()) + " must end in " + inFeatures + " features");
        }
        // relu is fused into the product (applied to each block of the output while it is in the cache)
        return act == Activation.RELU ? x.linearRelu(weight, bias) : act.apply(x.linear(weight, bias));
    }

    /** The weight, {@code [out, in]}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias, {@code [out]}, or null without bias. */
    public Tensor bias() {
        return bias;
    }

    /** Input features (−1 until built, unless given by a config). */
    public int inFeatures() {
        return inFeatures;
    }

    /** Output features. */
    public int outFeatures() {
        return outFeatures;
    }

    /** The activation applied to the output. */
    public Activation activation() {
        return activation;
    }

    /** "in" (once known), "out", "activation" (Keras name) and "bias". */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        if (inFeatures > 0) {
            config.put("in", inFeatures);
        }
        config.put("out", outFeatures);
        config.put("activation", activation.kerasName());
        config.put("bias", useBias);
        return config;
    }

    @Override
    protected String describe() {
        return "in=" + inFeatures + ", out=" + outFeatures + (useBias ? "" : ", bias=false")
                + (activation == Activation.LINEAR ? "" : ", activation=" + activation.kerasName());
    }
}
