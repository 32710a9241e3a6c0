package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.GradCheck;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Embedding, recurrent and attention layers: forward values and gradients of RNN, LSTM and GRU against PyTorch
 * float64 ({@code rnn-reference.txt}, made by {@code tools/reference/make_rnn_fixtures.py}), finite-difference
 * gradient checks through several time steps (weights, inputs and initial states), masks, configs.
 */
class TextLayersTest {
    private static final double TOL = 1e-10;

    private record Case(String name, String kind, int input, int hidden, int layers, boolean bidirectional,
            int[] lengths, Map<String, Tensor> tensors) {}

    private static List<Case> readCases() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (var in = TextLayersTest.class.getResourceAsStream("/rnn-reference.txt");
                var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            String[] header = null;
            Map<String, Tensor> tensors = null;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.trim().split(" ");
                if (f[0].equals("case")) {
                    if (header != null) {
                        cases.add(toCase(header, tensors));
                    }
                    header = f;
                    tensors = new LinkedHashMap<>();
                } else {
                    String dims = f[1].substring(1, f[1].length() - 1);
                    int[] shape = dims.isEmpty() ? new int[0] : Arrays.stream(dims.split(",")).mapToInt(Integer::parseInt).toArray();
                    double[] values = Arrays.stream(f, 2, f.length).mapToDouble(Double::parseDouble).toArray();
                    tensors.put(f[0], Tensor.fromArray(values, shape));
                }
            }
            cases.add(toCase(header, tensors));
        }
        return cases;
    }

    private static Case toCase(String[] h, Map<String, Tensor> tensors) {
        if (h[2].equals("mha")) {  // case NAME mha DIM HEADS CAUSAL LENGTHS...: dim as input, heads as hidden, causal
            int[] lengths = h.length > 6 ? Arrays.stream(h, 6, h.length).mapToInt(Integer::parseInt).toArray() : null;
            return new Case(h[1], h[2], Integer.parseInt(h[3]), Integer.parseInt(h[4]), 1, Boolean.parseBoolean(h[5]),
                    lengths, tensors);
        }
        int[] lengths = h.length > 7 ? Arrays.stream(h, 7, h.length).mapToInt(Integer::parseInt).toArray() : null;
        return new Case(h[1], h[2], Integer.parseInt(h[3]), Integer.parseInt(h[4]), Integer.parseInt(h[5]),
                Boolean.parseBoolean(h[6]), lengths, tensors);
    }

    private static Recurrent make(String kind, int input, int hidden, int layers, boolean bidirectional) {
        Generator g = new Generator(3);
        return switch (kind) {
            case "rnn" -> new RNN(input, hidden, layers, bidirectional, g);
            case "lstm" -> new LSTM(input, hidden, layers, bidirectional, g);
            case "gru" -> new GRU(input, hidden, layers, bidirectional, g);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @TestFactory
    Stream<DynamicTest> recurrentLayersMatchPyTorch() throws IOException {
        return readCases().stream().filter(c -> !c.kind().equals("mha")).map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Recurrent layer = make(c.kind(), c.input(), c.hidden(), c.layers(), c.bidirectional());
            Map<String, Tensor> params = new LinkedHashMap<>();
            c.tensors().forEach((k, v) -> {
                if (k.startsWith("param:")) {
                    params.put(k.substring(6), v);
                }
            });
            layer.loadStateDict(params, true);  // PyTorch's names and shapes, 1:1
            List<Tensor> weights = new ArrayList<>();
            for (String name : layer.namedParameters().keySet()) {
                weights.add(Tensor.fromArray(params.get(name).toDoubleArray(), params.get(name).shape()).requiresGrad(true));
            }
            Map<String, Tensor> t = c.tensors();
            Tensor x = t.get("x").requiresGrad(true);
            Tensor h0 = t.containsKey("h0") ? t.get("h0").requiresGrad(true) : null;
            Tensor c0 = t.containsKey("c0") ? t.get("c0").requiresGrad(true) : null;
            Recurrent.Output out = layer.run(x, h0 == null ? null : new Recurrent.State(h0, c0), c.lengths(), weights);
            assertClose("out", t.get("out"), out.output());
            assertClose("hn", t.get("hn"), out.h());
            Tensor loss = out.output().mul(t.get("wo")).sum().add(out.h().mul(t.get("wh")).sum());
            if (t.containsKey("cn")) {
                assertClose("cn", t.get("cn"), out.c());
                loss = loss.add(out.c().mul(t.get("wc")).sum());
            }
            loss.backward();
            assertClose("grad:x", t.get("grad:x"), x.grad());
            if (h0 != null) {
                assertClose("grad:h0", t.get("grad:h0"), h0.grad());
            }
            if (c0 != null) {
                assertClose("grad:c0", t.get("grad:c0"), c0.grad());
            }
            int i = 0;
            for (String name : layer.namedParameters().keySet()) {
                assertClose("grad:" + name, t.get("grad:" + name), weights.get(i++).grad());
            }
            // The float32 module gives the same values through its own forward.
            Tensor x32 = t.get("x").to(DType.FLOAT32);
            Recurrent.State s32 = h0 == null ? null : new Recurrent.State(h0.detach().to(DType.FLOAT32),
                    c0 == null ? null : c0.detach().to(DType.FLOAT32));
            double[] got = layer.forward(x32, s32, c.lengths()).output().toDoubleArray();
            double[] want = t.get("out").toDoubleArray();
            for (int k = 0; k < got.length; k++) {
                assertEquals(want[k], got[k], 1e-5, "float32 out[" + k + "]");
            }
        }));
    }

    /** Attention against nn.MultiheadAttention; the module holds float32 weights, hence the looser tolerance. */
    @TestFactory
    Stream<DynamicTest> attentionMatchesPyTorch() throws IOException {
        return readCases().stream().filter(c -> c.kind().equals("mha")).map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            MultiHeadAttention att = new MultiHeadAttention(c.input(), c.hidden(), c.bidirectional(), new Generator(1));
            Map<String, Tensor> params = new LinkedHashMap<>();
            c.tensors().forEach((k, v) -> {
                if (k.startsWith("param:")) {
                    params.put(k.substring(6), v);
                }
            });
            att.loadStateDict(params, true);
            Tensor x = c.tensors().get("x").requiresGrad(true);
            Tensor out = att.forward(x, x, c.lengths());
            assertClose("out", c.tensors().get("out"), out, 1e-5);
            out.mul(c.tensors().get("wo")).sum().backward();
            assertClose("grad:x", c.tensors().get("grad:x"), x.grad(), 1e-5);
        }));
    }

    private static void assertClose(String what, Tensor expected, Tensor actual) {
        assertClose(what, expected, actual, TOL);
    }

    private static void assertClose(String what, Tensor expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol * (1 + Math.abs(e[i])), what + "[" + i + "]");
        }
    }

    /** All outputs of a recurrent layer as one vector, for GradCheck. */
    private static Function<Tensor[], Tensor> recurrent(Recurrent layer, int[] lengths, boolean cell) {
        return xs -> {
            int first = cell ? 3 : 2;
            List<Tensor> w = Arrays.asList(xs).subList(first, xs.length);
            Recurrent.Output o = layer.run(xs[0], new Recurrent.State(xs[1], cell ? xs[2] : null), lengths, w);
            return cell ? Tensor.concat(0, o.output().reshape(-1), o.h().reshape(-1), o.c().reshape(-1))
                    : Tensor.concat(0, o.output().reshape(-1), o.h().reshape(-1));
        };
    }

    private static Tensor[] gradInputs(Recurrent layer, int n, int t, boolean cell, Generator g) {
        List<Tensor> in = new ArrayList<>();
        int states = layer.numLayers() * layer.directions();
        in.add(Tensor.normal(DType.FLOAT64, g, 0, 1, n, t, layer.inputSize()));
        in.add(Tensor.normal(DType.FLOAT64, g, 0, 1, states, n, layer.hiddenSize()));
        if (cell) {
            in.add(Tensor.normal(DType.FLOAT64, g, 0, 1, states, n, layer.hiddenSize()));
        }
        for (Tensor w : layer.weights(DType.FLOAT64)) {
            in.add(w.detach().mul(2));
        }
        return in.toArray(Tensor[]::new);
    }

    @Test
    void gradCheckLstmThroughTimeStacked() {
        LSTM lstm = new LSTM(2, 2, 2, true, new Generator(5));
        GradCheck.require(recurrent(lstm, new int[] {3, 1}, true), gradInputs(lstm, 2, 3, true, new Generator(6)));
    }

    @Test
    void gradCheckGruThroughTime() {
        GRU gru = new GRU(2, 3, 1, true, new Generator(7));
        GradCheck.require(recurrent(gru, new int[] {2, 4}, false), gradInputs(gru, 2, 4, false, new Generator(8)));
    }

    @Test
    void gradCheckRnnThroughTime() {
        RNN rnn = new RNN(3, 2, 2, false, new Generator(9));
        GradCheck.require(recurrent(rnn, null, false), gradInputs(rnn, 2, 4, false, new Generator(10)));
    }

    @Test
    void paddedPositionsDoNotChangeTheResult() {
        LSTM lstm = new LSTM(3, 4, 1, true, new Generator(1));
        Tensor x = Tensor.normal(new Generator(2), 0, 1, 1, 5, 3);
        Tensor garbage = Tensor.concat(1, x.narrow(1, 0, 3), Tensor.full(9, 1, 2, 3));
        Recurrent.Output padded = lstm.forward(garbage, null, new int[] {3});
        Recurrent.Output alone = lstm.forward(x.narrow(1, 0, 3), null, null);
        assertArrayEquals(alone.h().toFloatArray(), padded.h().toFloatArray(), 1e-6f);
        assertArrayEquals(alone.output().toFloatArray(), padded.output().narrow(1, 0, 3).contiguous().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[2 * 8], padded.output().narrow(1, 3, 2).contiguous().toFloatArray(), 0f);
    }

    @Test
    void embeddingLooksUpRowsAndLeavesThePaddingRowAlone() {
        Embedding emb = new Embedding(5, 3, 0, new Generator(1));
        assertArrayEquals(new float[3], emb.weight().narrow(0, 0, 1).contiguous().toFloatArray());
        Tensor ids = Tensor.fromArray(new float[] {2, 0, 4, 2}, 2, 2);
        Tensor out = emb.forward(ids);
        assertArrayEquals(new int[] {2, 2, 3}, out.shape());
        assertArrayEquals(emb.weight().narrow(0, 4, 1).contiguous().toFloatArray(),
                out.select(1, 0).narrow(0, 1, 1).contiguous().toFloatArray());
        out.sum().backward();
        float[] g = emb.weight().grad().toFloatArray();
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 0, 0, 1, 1, 1}, g);
        Tensor table = Tensor.normal(DType.FLOAT64, new Generator(2), 0, 1, 5, 3);
        // The padding row is held constant by design, so finite differences are taken with real ids only.
        Tensor real = Tensor.fromArray(new float[] {2, 1, 4, 2}, 2, 2);
        GradCheck.require(xs -> emb.lookup(real, xs[0]).square(), table);
        var e = assertThrows(IllegalArgumentException.class, () -> emb.forward(Tensor.of(1, 5)));
        assertTrue(e.getMessage().contains("not an integer in [0, 5)"), e.getMessage());
    }

    @Test
    void gradCheckAttentionWithCausalAndPaddingMasks() {
        MultiHeadAttention causal = new MultiHeadAttention(4, 2, true, new Generator(1));
        Tensor x = Tensor.normal(DType.FLOAT64, new Generator(2), 0, 1, 2, 3, 4);
        GradCheck.require(xs -> causal.forward(xs[0], xs[0], new int[] {3, 2}), x);
        MultiHeadAttention cross = new MultiHeadAttention(4, 1, false, new Generator(3));
        Tensor mem = Tensor.normal(DType.FLOAT64, new Generator(4), 0, 1, 2, 4, 4);
        GradCheck.require(xs -> cross.forward(xs[0], xs[1], new int[] {4, 2}), x, mem);
    }

    @Test
    void causalAttentionIgnoresTheFuture() {
        MultiHeadAttention att = new MultiHeadAttention(4, 2, true, new Generator(1));
        Tensor x = Tensor.normal(new Generator(2), 0, 1, 1, 4, 4);
        Tensor changed = Tensor.concat(1, x.narrow(1, 0, 2), Tensor.normal(new Generator(3), 0, 1, 1, 2, 4));
        assertArrayEquals(att.forward(x).narrow(1, 0, 2).contiguous().toFloatArray(),
                att.forward(changed).narrow(1, 0, 2).contiguous().toFloatArray(), 1e-6f);
    }

    @Test
    void gradCheckTransformerLayers() {
        TransformerEncoderLayer enc = new TransformerEncoderLayer(4, 2, 8, true, 0, new Generator(1));
        Tensor x = Tensor.normal(DType.FLOAT64, new Generator(2), 0, 1, 2, 3, 4);
        GradCheck.require(xs -> enc.forward(xs[0]), x);
        TransformerDecoderLayer dec = new TransformerDecoderLayer(4, 2, 8, new Generator(3));
        Tensor mem = Tensor.normal(DType.FLOAT64, new Generator(4), 0, 1, 2, 2, 4);
        GradCheck.require(xs -> dec.forward(xs[0], xs[1], new int[] {2, 1}), x, mem);
    }

    @Test
    void configsRoundTripThroughTheRegistry() {
        Generator g = new Generator(1);
        List<Module> layers = List.of(new Embedding(7, 3, 0, g), new PositionalEmbedding(8, 4, g),
                new RNN(3, 2, 1, false, g), new LSTM(3, 4, 2, true, g), new GRU(2, 3, 1, true, g),
                new MultiHeadAttention(4, 2, true, g), new TransformerEncoderLayer(4, 2, 8, true, 0.1, g),
                new TransformerDecoderLayer(4, 2, 8, g));
        for (Module m : layers) {
            Module back = Layers.builtin().fromConfig(Layers.toConfig(m), "test");
            assertEquals(Layers.toConfig(m), Layers.toConfig(back));
            assertEquals(m.namedParameters().keySet(), back.namedParameters().keySet());
            back.loadStateDict(m.stateDict(), true);
        }
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse",
                "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse"),
                new ArrayList<>(new GRU(2, 3, 1, true, g).namedParameters().keySet()));
    }

    @Test
    void errorsNameTheLayerAndShapes() {
        LSTM lstm = new LSTM(3, 4, 1, false, new Generator(1));
        var e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(2, 5, 2)));
        assertEquals("LSTM(input=3, hidden=4): input of shape [2, 5, 2] must be [batch, time, 3]", e.getMessage());
        var s = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(2, 5, 3),
                new Recurrent.State(Tensor.zeros(1, 3, 4), null), null));
        assertTrue(s.getMessage().contains("initial h of shape [1, 3, 4] must be [1, 2, 4]"), s.getMessage());
    }
}
