package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Conv1d} and {@link Conv2d} share: settings, weight creation, Keras's "same"/"valid" padding, config,
 * and error messages that name the layer.
 *
 * <p>The weight is PyTorch's {@code [out, in/groups, kernel...]}. "same" pads so that the output has
 * ⌈size/stride⌉ positions; when the total padding of a dimension is odd the extra zero goes after (bottom, right),
 * as in Keras and PyTorch.
 */
public abstract class Convolution extends Module {
    private final int rank;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] dilation;
    private final String paddingMode;
    private final int[] padding;
    private final int groups;
    private final boolean useBias;
    private final Activation activation;
    private final Init.Initializer weightInit;
    private final Init.Initializer biasInit;
    private int inChannels = -1;
    private Tensor weight;
    private Tensor bias;

    /**
     * @param paddingMode "same", "valid", or null for the explicit {@code padding}
     * @param biasInit null for PyTorch's U(±1/√fanIn)
     */
    Convolution(int rank, int outChannels, int[] kernel, int[] stride, String paddingMode, int[] padding,
            int[] dilation, int groups, boolean useBias, Activation activation, Init.Initializer weightInit,
            Init.Initializer biasInit) {
        this.rank = rank;
        if (outChannels <= 0) {
            throw new IllegalArgumentException(typeName() + ": filters must be positive, got " + outChannels);
        }
        this.outChannels = outChannels;
        this.kernel = spatial("kernel", kernel, 1);
        this.stride = spatial("stride", stride, 1);
        this.dilation = spatial("dilation", dilation, 1);
        if (paddingMode != null && !paddingMode.equals("same") && !paddingMode.equals("valid")) {
            throw new IllegalArgumentException(typeName() + ": padding must be \"same\", \"valid\" or sizes, got \""
                    + paddingMode + "\"");
        }
        this.paddingMode = paddingMode;
        this.padding = paddingMode != null ? new int[rank] : spatial("padding", padding, 0);
        if (groups < 1 || outChannels % groups != 0) {
            throw new IllegalArgumentException(typeName() + ": groups " + groups + " must divide the "
                    + outChannels + " output channels");
        }
        this.groups = groups;
        this.useBias = useBias;
        this.activation = activation;
        this.weightInit = weightInit;
        this.biasInit = biasInit;
    }

    private int[] spatial(String name, int[] v, int min) {
        if (v == null || (v.length != 1 && v.length != rank)) {
            throw new IllegalArgumentException(typeName() + ": " + name + " must have 1 or " + rank + " values, got "
                    + (v == null ? "null" : Arrays.toString(v)));
        }
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            out[i] = v.length == 1 ? v[0] : v[i];
            if (out[i] < min) {
                throw new IllegalArgumentException(typeName() + ": " + name + " " + Arrays.toString(v)
                        + " must be at least " + min);
            }
        }
        return out;
    }

    /**
     * The convolution op on an input already padded for "same", with symmetric {@code pad}, followed by a ReLU when
     * {@code relu} (which an op may apply as it writes its output).
     */
    abstract Tensor convolve(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] pad, int[] dilation, int groups,
            boolean relu);

    /** Creates the weight and bias for {@code in} input channels. */
    final void create(int in, Generator generator) {
        if (in <= 0 || in % groups != 0) {
            throw new IllegalArgumentException(this + ": groups " + groups + " must divide the " + in
                    + " input channels");
        }
        inChannels = in;
        int[] shape = new int[rank + 2];
        shape[0] = outChannels;
        shape[1] = in / groups;
        System.arraycopy(kernel, 0, shape, 2, rank);
        weight = registerParameter("weight", weightInit.create(generator, shape));
        if (useBias) {
            Init.Initializer b = biasInit != null ? biasInit : Init.uniformFanIn(Init.fanIn(shape));
            bias = registerParameter("bias", b.create(generator, outChannels));
        }
    }

    @Override
    public int[] build(int[] inputShape, Generator generator) {
        if (inputShape.length != rank + 1) {
            throw new IllegalArgumentException(this + ": input shape " + Shapes.str(inputShape) + " must be "
                    + (rank == 2 ? "[C, H, W]" : "[C, L]") + " (without the batch dimension)");
        }
        if (weight == null) {
            if (inChannels > 0 && inputShape[0] != inChannels) {
                throw new IllegalArgumentException(this + ": input shape " + Shapes.str(inputShape) + " has "
                        + inputShape[0] + " channels, the config says " + inChannels);
            }
            create(inputShape[0], generator);
        }
        return super.build(inputShape, generator);
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, activation);
    }

    /**
     * This convolution followed by a {@link ReLU} layer, as one op (the relu fused into the convolution);
     * {@link Sequential} runs the pair this way when this layer has no activation of its own.
     */
    Tensor forwardThenRelu(Tensor x) {
        requireNoActivation("a ReLU layer");
        return forward(x, Activation.RELU);
    }

    private Tensor forward(Tensor x, Activation act) {
        return apply(x, (in, pad) -> {
            if (act == Activation.RELU) {
                return convolve(in, weight, bias, stride, pad, dilation, groups, true);
            }
            return act.apply(convolve(in, weight, bias, stride, pad, dilation, groups, false));
        });
    }

    /** Whether {@link #forwardThenPool} applies: a 2-d convolution with no activation or relu. */
    boolean fusesWithMaxPool() {
        return rank == 2 && (activation == Activation.RELU || activation == Activation.LINEAR);
    }

    /**
     * This 2-d convolution, its activation (none or relu), then {@code pool}, as one op
     * ({@link Tensor#conv2dMaxPool}).
     */
    Tensor forwardThenPool(Tensor x, MaxPool2d pool) {
        return forwardThenPool(x, pool, activation == Activation.RELU);
    }

    /**
     * This 2-d convolution without activation, a {@link ReLU} layer, then {@code pool}, as one op
     * ({@link Tensor#conv2dMaxPool} with relu).
     */
    Tensor forwardThenReluThenPool(Tensor x, MaxPool2d pool) {
        requireNoActivation("a ReLU layer and max pooling");
        return forwardThenPool(x, pool, true);
    }

    private Tensor forwardThenPool(Tensor x, MaxPool2d pool, boolean relu) {
        if (!fusesWithMaxPool()) {
            throw new IllegalStateException(this + ": only a 2-d convolution with no activation or relu fuses with"
                    + " max pooling");
        }
        return apply(x, (in, pad) -> in.conv2dMaxPool(weight, bias, stride, pad, dilation, groups, relu,
                pool.kernel(), pool.stride(), pool.padding()));
    }

    /** Whether this layer has no activation of its own (so a following ReLU layer can be fused into it). */
    boolean hasNoActivation() {
        return activation == Activation.LINEAR;
    }

    private void requireNoActivation(String what) {
        if (!hasNoActivation()) {
            throw new IllegalStateException(this + ": fusing " + what + " needs no activation of its own, has "
                    + activation);
        }
    }

    /** The convolution of an input, given it and its padding (from the padding mode). */
    private interface Body {
        Tensor apply(Tensor x, int[] pad);
    }

    /** Checks x, works out the padding ("same" pads an odd total on the far side) and runs {@code body}. */
    private Tensor apply(Tensor x, Body body) {
        if (weight == null) {
            throw new IllegalStateException(this + " is not built yet: call build(inputShape, generator) or add it"
                    + " to a model that builds it");
        }
        if (x.dim() != rank + 2 || x.size(1) != inChannels) {
            throw new IllegalArgumentException(this + ": input of shape " + Shapes.str(x.shape()) + " must be "
                    + (rank == 2 ? "[N, " + inChannels + ", H, W]" : "[N, " + inChannels + ", L]"));
        }
        int[] pad = padding;
        if ("same".equals(paddingMode)) {
            pad = new int[rank];
            for (int i = 0; i < rank; i++) {
                int size = x.size(2 + i);
                int out = (size + stride[i] - 1) / stride[i];
                int total = Math.max(0, (out - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1 - size);
                pad[i] = total / 2;
                if (total % 2 == 1) {
                    x = x.pad(2 + i, 0, 1);
                }
            }
        }
        try {
            return body.apply(x, pad);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + ": " + e.getMessage(), e);
        }
    }

    /** The weight, {@code [out, in/groups, kernel...]}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias, {@code [out]}, or null without bias. */
    public Tensor bias() {
        return bias;
    }

    /** Input channels (−1 until built, unless given by a config). */
    public int inChannels() {
        return inChannels;
    }

    /** Output channels (filters). */
    public int outChannels() {
        return outChannels;
    }

    /** Reads the shared settings of a config; "in" is checked at build. */
    static void readInto(Convolution layer, LayerConfig c) {
        int in = c.getInt("in", -1);
        if (c.has("in") && in <= 0) {
            throw c.error("in", "must be a positive integer, got " + in);
        }
        layer.inChannels = in;
    }

    /** The padding mode of a config: "same", "valid", or null when "padding" holds sizes. */
    static String paddingMode(LayerConfig c) {
        return c.isString("padding") ? c.getString("padding") : c.has("padding") ? null : "valid";
    }

    static Activation activation(LayerConfig c) {
        try {
            return Activation.fromName(c.getString("activation", Activation.LINEAR.kerasName()));
        } catch (IllegalArgumentException e) {
            throw c.error("activation", "is invalid: " + e.getMessage());
        }
    }

    /** "in" (once known), "out", "kernel", "stride", "padding", "dilation", "groups", "bias", "activation". */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        if (inChannels > 0) {
            config.put("in", inChannels);
        }
        config.put("out", outChannels);
        config.put("kernel", list(kernel));
        config.put("stride", list(stride));
        config.put("padding", paddingMode != null ? paddingMode : list(padding));
        config.put("dilation", list(dilation));
        config.put("groups", groups);
        config.put("bias", useBias);
        config.put("activation", activation.kerasName());
        return config;
    }

    private static List<Object> list(int[] v) {
        return Arrays.stream(v).boxed().map(Object.class::cast).toList();
    }

    @Override
    public String toString() {
        return typeName() + "(" + describe() + ")";
    }

    @Override
    protected String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(inChannels > 0 ? inChannels + " -> " : "").append(outChannels).append(", ")
                .append(String.join("x", Arrays.stream(kernel).mapToObj(Integer::toString).toList()));
        if (Arrays.stream(stride).anyMatch(s -> s != 1)) {
            sb.append(", stride=").append(Arrays.toString(stride));
        }
        if (paddingMode != null) {
            sb.append(", padding=").append(paddingMode);
        } else if (Arrays.stream(padding).anyMatch(p -> p != 0)) {
            sb.append(", padding=").append(Arrays.toString(padding));
        }
        if (Arrays.stream(dilation).anyMatch(d -> d != 1)) {
            sb.append(", dilation=").append(Arrays.toString(dilation));
        }
        if (groups != 1) {
            sb.append(", groups=").append(groups);
        }
        if (!useBias) {
            sb.append(", bias=false");
        }
        if (activation != Activation.LINEAR) {
            sb.append(", activation=").append(activation.kerasName());
        }
        return sb.toString();
    }
}
