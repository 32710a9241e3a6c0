package dev.nabla.nn;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.PreparedLinear;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recurrent layers {@link RNN}, {@link LSTM} and {@link GRU}: batch-first ({@code [N, T, features]}), stacked,
 * optionally bidirectional, with initial states in, final states out, and masking of padded positions.
 *
 * <p>Weights are PyTorch's, name for name ({@code weight_ih_l0}, {@code weight_hh_l0_reverse}, ...), shape for shape
 * and gate order for gate order, so a PyTorch state dict maps 1:1. Each direction of each layer projects the whole
 * input sequence in one {@code linear} ({@code [N·T, in] · W_ihᵀ}); per time step run only the recurrent product and,
 * for LSTM and GRU, one fused cell ({@link Tensor#lstmCell}, {@link Tensor#gruCell}).
 *
 * <p>Masking: given each sequence's length, the state stops updating past it (h_t = h_{t−1} where t ≥ length), the
 * output there is zero, and the reverse direction starts at the sequence's last real element: the results equal
 * PyTorch's on a packed sequence. Backpropagation through time is plain backpropagation through this unrolled
 * graph; detach the returned state to truncate it.
 */
public abstract class Recurrent extends Module {
    /** The output sequence {@code [N, T, dirs·H]}, the final hidden state {@code [layers·dirs, N, H]}, and for an LSTM the final cell state (else null). */
    public record Output(Tensor output, Tensor h, Tensor c) {
        /** The final states, detached from the graph (for truncated backpropagation through time). */
        public State detachedState() {
            return new State(h.detach(), c == null ? null : c.detach());
        }

        /** The final states. */
        public State state() {
            return new State(h, c);
        }
    }

    /** Recurrent state: hidden {@code [layers·dirs, N, H]} and, for an LSTM, cell (else null). */
    public record State(Tensor h, Tensor c) {}

    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final boolean bidirectional;

    Recurrent(int inputSize, int hiddenSize, int numLayers, boolean bidirectional, Generator generator) {
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": input " + inputSize + ", hidden "
                    + hiddenSize + " and layers " + numLayers + " must be positive");
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bidirectional = bidirectional;
        double a = 1 / Math.sqrt(hiddenSize);
        int g = gates() * hiddenSize;
        for (int layer = 0; layer < numLayers; layer++) {
            int in = layer == 0 ? inputSize : hiddenSize * directions();
            for (int dir = 0; dir < directions(); dir++) {
                String suffix = "_l" + layer + (dir == 1 ? "_reverse" : "");
                registerParameter("weight_ih" + suffix, Tensor.uniform(generator, -a, a, g, in));
                registerParameter("weight_hh" + suffix, Tensor.uniform(generator, -a, a, g, hiddenSize));
                registerParameter("bias_ih" + suffix, Tensor.uniform(generator, -a, a, g));
                registerParameter("bias_hh" + suffix, Tensor.uniform(generator, -a, a, g));
            }
        }
    }

    /** Gates per step: 1 for RNN, 4 for LSTM (i, f, g, o), 3 for GRU (r, z, n). */
    abstract int gates();

    /** True for the LSTM, which carries a cell state. */
    boolean hasCell() {
        return false;
    }

    /**
     * One time step of one direction of one layer: {@code xw} is this step's input projection {@code x·W_ihᵀ + b_ih}
     * {@code [N, gates·H]}, {@code hidden} the product {@code h·W_hhᵀ + b_hh}; returns the new hidden state (and
     * for an LSTM the new cell state).
     */
    abstract Tensor[] step(Tensor xw, Tensor h, Tensor c, PreparedLinear hidden);

    /** The output sequence for a batch {@code [N, T, in]} with zero initial states and no masking. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null, null).output();
    }

    /**
     * Runs the layer on {@code x [N, T, in]} from {@code initial} (null: zeros), with {@code lengths[n]} the real
     * length of sequence n (null: all of length T).
     */
    public Output forward(Tensor x, State initial, int[] lengths) {
        if (x.dim() != 3 || x.size(2) != inputSize) {
            throw new IllegalArgumentException(this + ": input of shape " + Shapes.str(x.shape())
                    + " must be [batch, time, " + inputSize + "]");
        }
        return run(x, initial, lengths, weights(x.dtype()));
    }

    /**
     * The computation with explicit weights (for gradient checks): {@code weights} holds, for each layer and
     * direction in order, {@code weight_ih, weight_hh, bias_ih, bias_hh}.
     */
    public Output run(Tensor x, State initial, int[] lengths, List<Tensor> weights) {
        int n = x.size(0);
        int t = x.size(1);
        int dirs = directions();
        int states = numLayers * dirs;
        checkState("h", initial == null ? null : initial.h(), states, n);
        if (hasCell()) {
            checkState("c", initial == null ? null : initial.c(), states, n);
        }
        Tensor[] masks = masks(lengths, n, t, x.dtype());
        List<Tensor> hOut = new ArrayList<>();
        List<Tensor> cOut = new ArrayList<>();
        Tensor layerInput = x;
        for (int layer = 0; layer < numLayers; layer++) {
            Tensor[] dirOutputs = new Tensor[dirs];
            for (int dir = 0; dir < dirs; dir++) {
                int k = layer * dirs + dir;
                Tensor h = initial == null || initial.h() == null ? Tensor.zeros(x.dtype(), n, hiddenSize)
                        : initial.h().select(0, k);
                Tensor c = !hasCell() ? null : initial == null || initial.c() == null
                        ? Tensor.zeros(x.dtype(), n, hiddenSize) : initial.c().select(0, k);
                Tensor wIh = weights.get(4 * k);
                Tensor wHh = weights.get(4 * k + 1);
                Tensor bIh = weights.get(4 * k + 2);
                Tensor bHh = weights.get(4 * k + 3);
                Tensor projected = layerInput.linear(wIh, bIh);
                PreparedLinear hidden = PreparedLinear.of(wHh, bHh);
                Tensor[] outputs = new Tensor[t];
                for (int s = 0; s < t; s++) {
                    int time = dir == 0 ? s : t - 1 - s;
                    Tensor[] next = step(projected.select(1, time), h, c, hidden);
                    Tensor m = masks == null ? null : masks[time];
                    if (m == null) {
                        h = next[0];
                        c = hasCell() ? next[1] : null;
                        outputs[time] = h;
                    } else {
                        h = h.add(next[0].sub(h).mul(m));
                        c = hasCell() ? c.add(next[1].sub(c).mul(m)) : null;
                        outputs[time] = h.mul(m);
                    }
                }
                dirOutputs[dir] = Tensor.stack(1, outputs);
                hOut.add(h);
                if (hasCell()) {
                    cOut.add(c);
                }
            }
            layerInput = dirs == 1 ? dirOutputs[0] : Tensor.concat(2, dirOutputs);
        }
        return new Output(layerInput, Tensor.stack(0, hOut.toArray(Tensor[]::new)),
                hasCell() ? Tensor.stack(0, cOut.toArray(Tensor[]::new)) : null);
    }

    /**
     * Per time step, {@code [N, 1]} with 1 where t &lt; length; null without lengths, and null for a step that every
     * sequence reaches (there the masked update would only add rounding).
     */
    private static Tensor[] masks(int[] lengths, int n, int t, DType dtype) {
        if (lengths == null) {
            return null;
        }
        if (lengths.length != n) {
            throw new IllegalArgumentException("Recurrent: " + lengths.length + " lengths for a batch of " + n);
        }
        int shortest = t;
        for (int i = 0; i < n; i++) {
            if (lengths[i] < 0 || lengths[i] > t) {
                throw new IllegalArgumentException("Recurrent: length " + lengths[i] + " of sequence " + i
                        + " is outside [0, " + t + "]");
            }
            shortest = Math.min(shortest, lengths[i]);
        }
        Tensor[] masks = new Tensor[t];
        for (int s = shortest; s < t; s++) {
            double[] m = new double[n];
            for (int i = 0; i < n; i++) {
                m[i] = s < lengths[i] ? 1 : 0;
            }
            masks[s] = Tensor.fromArray(m, n, 1).to(dtype);
        }
        return masks;
    }

    private void checkState(String name, Tensor s, int states, int n) {
        if (s != null && (s.dim() != 3 || s.size(0) != states || s.size(1) != n || s.size(2) != hiddenSize)) {
            throw new IllegalArgumentException(this + ": initial " + name + " of shape " + Shapes.str(s.shape())
                    + " must be [" + states + ", " + n + ", " + hiddenSize + "] (layers·directions, batch, hidden)");
        }
    }

    /** The weights in {@link #run}'s order, cast to {@code dtype}. */
    public List<Tensor> weights(DType dtype) {
        List<Tensor> out = new ArrayList<>();
        Map<String, Tensor> params = namedParameters();
        for (int layer = 0; layer < numLayers; layer++) {
            for (int dir = 0; dir < directions(); dir++) {
                String suffix = "_l" + layer + (dir == 1 ? "_reverse" : "");
                for (String w : new String[] {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
                    out.add(params.get(w + suffix).to(dtype));
                }
            }
        }
        return out;
    }

    @Override
    public int[] build(int[] inputShape, Generator generator) {
        if (inputShape.length != 2 || inputShape[1] != inputSize) {
            throw new IllegalArgumentException(this + ": input shape " + Shapes.str(inputShape)
                    + " must be [time, " + inputSize + "]");
        }
        return new int[] {inputShape[0], hiddenSize * directions()};
    }

    /** 2 when bidirectional, else 1. */
    public int directions() {
        return bidirectional ? 2 : 1;
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int numLayers() {
        return numLayers;
    }

    /** "input", "hidden", "layers", "bidirectional". */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("input", inputSize);
        config.put("hidden", hiddenSize);
        config.put("layers", numLayers);
        config.put("bidirectional", bidirectional);
        return config;
    }

    /** Reads {@link #config()}; the weights are drawn from a fixed seed until loaded. */
    interface Maker {
        Recurrent make(int input, int hidden, int layers, boolean bidirectional, Generator generator);
    }

    static Recurrent fromConfig(LayerConfig c, Maker maker) {
        return maker.make(c.getInt("input"), c.getInt("hidden"), c.getInt("layers", 1),
                c.getBoolean("bidirectional", false), new Generator(0));
    }

    @Override
    protected String describe() {
        return "input=" + inputSize + ", hidden=" + hiddenSize + (numLayers > 1 ? ", layers=" + numLayers : "")
                + (bidirectional ? ", bidirectional" : "");
    }
}
