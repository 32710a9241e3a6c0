package dev.nabla.tensor;

import dev.nabla.testing.ReferenceCases;
import dev.nabla.testing.ReferenceCases.Case;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nabla.autograd.GradCheck;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every differentiable op, through one table: forward and gradients against PyTorch's float64 results
 * ({@code op-reference.txt}, made by {@code tools/reference/make_op_fixtures.py}), and gradients against central
 * finite differences with {@link GradCheck}. Coverage tests fail when a primitive or a public op is missing.
 */
class OpHarnessTest {
    private static final Tensor IDX_GATHER = Tensor.fromArray(new double[] {0, 3, 1, 1, 2, 0}, 3, 2);

    /** The op of each reference case, as Nabla spells it. */
    static final Map<String, Function<Tensor[], Tensor>> TABLE = new LinkedHashMap<>();

    private static void op(String name, Function<Tensor[], Tensor> f) {
        TABLE.put(name, f);
    }

    static {
        op("neg", x -> x[0].neg());
        op("exp", x -> x[0].exp());
        op("log", x -> x[0].log());
        op("sqrt", x -> x[0].sqrt());
        op("abs", x -> x[0].abs());
        op("relu", x -> x[0].relu());
        op("sigmoid", x -> x[0].sigmoid());
        op("tanh", x -> x[0].tanh());
        op("leakyRelu", x -> x[0].leakyRelu(0.1));
        op("softplus", x -> x[0].softplus());
        op("gelu", x -> x[0].gelu());
        op("square", x -> x[0].square());
        op("clamp", x -> x[0].clamp(-0.5, 0.5));
        op("sign", x -> x[0].sign());
        for (String tag : List.of("same", "row", "outer", "rank3", "scalar")) {
            op("add/" + tag, x -> x[0].add(x[1]));
            op("sub/" + tag, x -> x[0].sub(x[1]));
            op("mul/" + tag, x -> x[0].mul(x[1]));
            op("div/" + tag, x -> x[0].div(x[1]));
            op("pow/" + tag, x -> x[0].pow(x[1]));
            op("maximum/" + tag, x -> x[0].maximum(x[1]));
            op("minimum/" + tag, x -> x[0].minimum(x[1]));
        }
        op("addScalar", x -> x[0].add(1.5));
        op("subScalar", x -> x[0].sub(1.5));
        op("mulScalar", x -> x[0].mul(-2.5));
        op("divScalar", x -> x[0].div(4.0));
        op("rsub", x -> x[0].rsub(3.0));
        op("powScalar", x -> x[0].pow(3));
        op("where", x -> Tensor.where(x[0].gt(0), x[0], x[1]));
        op("sum/all", x -> x[0].sum());
        op("sum/dim", x -> x[0].sum(1, true));
        op("sum/dims", x -> x[0].sum(new int[] {0, 2}, false));
        op("mean/all", x -> x[0].mean());
        op("mean/dim", x -> x[0].mean(0, false));
        op("max/all", x -> x[0].max());
        op("max/dim", x -> x[0].max(1, true));
        op("min/dim", x -> x[0].min(0, false));
        op("var/dim", x -> x[0].var(1, false));
        op("var/dims", x -> x[0].var(new int[] {0, 1}, 0, true));
        op("logsumexp", x -> x[0].logsumexp(1, false));
        op("reshape", x -> x[0].reshape(4, 3));
        op("flatten", x -> x[0].flatten());
        op("permute", x -> x[0].permute(2, 0, 1));
        op("transpose", x -> x[0].transpose(0, 2));
        op("t", x -> x[0].t());
        op("mT", x -> x[0].mT());
        op("squeeze", x -> x[0].squeeze(1));
        op("unsqueeze", x -> x[0].unsqueeze(1));
        op("expand", x -> x[0].expand(2, 3, 4));
        op("narrow", x -> x[0].narrow(1, 1, 2));
        op("slice", x -> x[0].slice(1, 1, -1));
        op("select", x -> x[0].select(1, 2));
        op("pad", x -> x[0].pad(0, 2, 1));
        op("concat", x -> Tensor.concat(1, x[0], x[1]));
        op("stack", x -> Tensor.stack(0, x[0], x[1]));
        op("indexSelect", x -> x[0].indexSelect(0, 2, 0, 2));
        op("indexAdd", x -> x[0].indexAdd(1, new int[] {3, 0, 3}, x[1]));
        op("gather", x -> x[0].gather(1, IDX_GATHER));
        op("scatterAdd", x -> x[0].scatterAdd(1, IDX_GATHER, x[1]));
        op("contiguous", x -> x[0].t().contiguous());
        op("cast", x -> x[0].to(DType.FLOAT32).to(DType.FLOAT64));
        op("matmul/2d", x -> x[0].matmul(x[1]));
        op("matmul/batched", x -> x[0].matmul(x[1]));
        op("matmul/broadcast", x -> x[0].matmul(x[1]));
        op("matmul/vecmat", x -> x[0].matmul(x[1]));
        op("matmul/matvec", x -> x[0].matmul(x[1]));
        op("matmul/dot", x -> x[0].matmul(x[1]));
        op("matmul/transposed", x -> x[0].t().matmul(x[1].t()));
        op("linear", x -> x[0].linear(x[1], x[2]));
        op("linear/nobias", x -> x[0].linear(x[1], null));
        op("linear/vector", x -> x[0].linear(x[1], x[2]));
        op("linearRelu", x -> x[0].linearRelu(x[1], x[2]));
        op("linearRelu/nobias", x -> x[0].linearRelu(x[1], null));
        op("softmax", x -> x[0].softmax(1));
        op("softmax/dim0", x -> x[0].softmax(0));
        op("logSoftmax", x -> x[0].logSoftmax(1));
        op("conv2d/basic", x -> x[0].conv2d(x[1], x[2], 1, 0));
        op("conv2d/stridePad", x -> x[0].conv2d(x[1], null, 2, 1));
        op("conv2d/dilation", x -> x[0].conv2d(x[1], x[2], new int[] {1}, new int[] {2}, new int[] {2}, 1));
        op("conv2d/groups", x -> x[0].conv2d(x[1], x[2], new int[] {1}, new int[] {1}, new int[] {1}, 2));
        op("conv2d/depthwise", x -> x[0].conv2d(x[1], null, new int[] {1}, new int[] {1}, new int[] {1}, 3));
        op("conv2d/pointwise", x -> x[0].conv2d(x[1], x[2], 1, 0));
        op("conv2d/mixed", x -> x[0].conv2d(x[1], null, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 1));
        op("conv1d", x -> x[0].conv1d(x[1], x[2], 2, 1, 1, 1));
        op("convTranspose2d", x -> x[0].convTranspose2d(x[1], x[2], new int[] {2}, new int[] {1}, new int[] {1},
                new int[] {1}, 1));
        op("convTranspose2d/groups", x -> x[0].convTranspose2d(x[1], null, new int[] {1}, new int[] {0},
                new int[] {0}, new int[] {2}, 2));
        op("conv2dWeightGrad", x -> Conv.weightGrad(x[0], x[1], 3, 3, new int[] {2, 2, 1, 1, 1, 1, 1, 0, 0}));
        op("maxPool2d", x -> x[0].maxPool2d(2));
        op("maxPool2d/overlap", x -> x[0].maxPool2d(new int[] {3}, new int[] {2}, new int[] {1}));
        op("maxPool2dRelu", x -> x[0].maxPool2dRelu(new int[] {2}, null, new int[] {0}));
        op("maxPool2dRelu/overlap", x -> x[0].maxPool2dRelu(new int[] {3}, new int[] {2}, new int[] {1}));
        op("conv2dMaxPool", x -> x[0].conv2dMaxPool(x[1], x[2], new int[] {1}, new int[] {1}, new int[] {1}, 1, false,
                new int[] {2}, null, new int[] {0}));
        op("conv2dMaxPool/relu", x -> x[0].conv2dMaxPool(x[1], x[2], new int[] {1, 2}, new int[] {1, 0}, new int[] {1},
                2, true, new int[] {3}, new int[] {2}, new int[] {1}));
        op("avgPool2d", x -> x[0].avgPool2d(2));
        op("avgPool2d/overlap", x -> x[0].avgPool2d(new int[] {3}, new int[] {2}, new int[] {1}));
        op("lstmCell", x -> x[0].lstmCell(x[1], x[2]));
        op("gruCell", x -> x[0].gruCell(x[1], x[2]));
        op("lstmCell/steps", OpHarnessTest::lstmSteps);
        op("gruCell/steps", OpHarnessTest::gruSteps);
    }

    /**
     * LSTM time steps through the fused cell, as torch.lstm_cell runs them: x {@code [T, N, in]}, W_ih, W_hh, b_ih,
     * b_hh, h0, c0; returns {@code [T, N, 2H]}, each step's [h | c]. The input gates are read as one time step's slice.
     */
    static Tensor lstmSteps(Tensor[] x) {
        int hs = x[5].size(1);
        Tensor gatesIn = x[0].linear(x[1], x[3]);
        Tensor h = x[5];
        Tensor c = x[6];
        Tensor[] out = new Tensor[x[0].size(0)];
        for (int t = 0; t < out.length; t++) {
            out[t] = gatesIn.select(0, t).lstmCell(h.linear(x[2], x[4]), c);
            h = out[t].narrow(1, 0, hs);
            c = out[t].narrow(1, hs, hs);
        }
        return Tensor.stack(0, out);
    }

    /** GRU time steps through the fused cell, as torch.gru_cell runs them: x, W_ih, W_hh, b_ih, b_hh, h0. */
    static Tensor gruSteps(Tensor[] x) {
        Tensor gatesIn = x[0].linear(x[1], x[3]);
        Tensor h = x[5];
        Tensor[] out = new Tensor[x[0].size(0)];
        for (int t = 0; t < out.length; t++) {
            out[t] = gatesIn.select(0, t).gruCell(h.linear(x[2], x[4]), h);
            h = out[t];
        }
        return Tensor.stack(0, out);
    }

    /** Public Tensor methods that are not differentiable ops, or are aliases of a tested op; each with a reason. */
    private static final Set<String> NOT_IN_TABLE = Set.of(
            "eq", "ne", "gt", "ge", "lt", "le", "argmax", "argmin", // comparisons and indices: no gradient
            "detach", "requiresGrad", "name", "grad", "zerosLike", "onesLike", // autograd and creation utilities
            "addInPlace", "copyFrom", "fill", // in-place updates for optimizers, outside the graph
            "view", "expandAs", "to", // aliases: reshape, expand, and cast
            "conv2dRelu", // fused conv2d + relu: held to the composition, values and gradients, in ConvTest
            "zeros", "ones", "full", "scalar", "arange", "eye", "fromArray", "of", "rand", "randn", "uniform",
            "normal", "gradients", "wrap");

    static List<Case> cases() throws IOException {
        return ReferenceCases.load("/op-reference.txt");
    }

    @TestFactory
    Stream<DynamicTest> everyCaseMatchesPyTorchAndFiniteDifferences() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) {
        Function<Tensor[], Tensor> f = TABLE.get(c.name());
        assertTrue(f != null, "no op in the table for reference case " + c.name());
        Tensor[] xs = c.inputs().stream().map(t -> Tensor.fromArray(t.toDoubleArray(), t.shape()).requiresGrad(true))
                .toArray(Tensor[]::new);
        Tensor y = f.apply(xs);
        double tol = c.name().equals("cast") ? 1e-6 : 1e-10;
        assertArrayEquals(c.output().shape(), y.shape(), c.name() + ": output shape");
        assertArrayEquals(c.output().toDoubleArray(), y.toDoubleArray(), tol, c.name() + ": forward vs PyTorch");
        if (!y.requiresGrad()) {
            return;
        }
        y.backward(c.weight());
        for (int i = 0; i < xs.length; i++) {
            Tensor g = xs[i].grad();
            double[] actual = g == null ? new double[xs[i].numel()] : g.toDoubleArray();
            assertArrayEquals(c.grads().get(i).toDoubleArray(), actual, 1e-9, c.name() + ": gradient of input " + i
                    + " vs PyTorch");
        }
        Tensor[] plain = c.inputs().toArray(Tensor[]::new);
        GradCheck.Result r = c.name().equals("cast")
                ? GradCheck.check(f, 1e-2, 1e-4, 1e-3, plain)
                : GradCheck.check(f, plain);
        assertTrue(r.passed(), c.name() + ": " + r);
    }

    @Test
    void referenceCasesAndTableAgree() throws IOException {
        Set<String> inFixture = new TreeSet<>();
        for (Case c : cases()) {
            inFixture.add(c.name());
        }
        assertEquals(new TreeSet<>(TABLE.keySet()), inFixture, "table entries and reference cases must match one to one");
    }

    @Test
    void everyPrimitiveIsExercised() throws IOException {
        Set<Prim> seen = EnumSet.noneOf(Prim.class);
        for (Case c : cases()) {
            Tensor[] xs = c.inputs().stream().map(t -> Tensor.fromArray(t.toDoubleArray(), t.shape()).requiresGrad(true))
                    .toArray(Tensor[]::new);
            collect(TABLE.get(c.name()).apply(xs), seen, Collections.newSetFromMap(new IdentityHashMap<>()));
        }
        Set<Prim> missing = EnumSet.allOf(Prim.class);
        missing.removeAll(seen);
        assertTrue(missing.isEmpty(), "primitives with no case in the op table: " + missing);
    }

    private static void collect(Tensor t, Set<Prim> seen, Set<Tensor> visited) {
        if (!visited.add(t) || t.gradFn() == null) {
            return;
        }
        seen.add(t.gradFn());
        for (Tensor in : t.gradFnInputs()) {
            collect(in, seen, visited);
        }
    }

    @Test
    void everyPublicTensorOpIsInTheTable() {
        Set<String> names = new TreeSet<>();
        for (String key : TABLE.keySet()) {
            names.add(key.contains("/") ? key.substring(0, key.indexOf('/')) : key);
        }
        names.addAll(Set.of("addScalar", "subScalar", "mulScalar", "divScalar", "powScalar"));
        Set<String> missing = new TreeSet<>();
        for (Method m : Tensor.class.getMethods()) {
            if (m.getDeclaringClass() == Tensor.class && m.getReturnType() == Tensor.class
                    && Modifier.isPublic(m.getModifiers()) && !names.contains(m.getName())
                    && !NOT_IN_TABLE.contains(m.getName())) {
                missing.add(m.getName());
            }
        }
        assertTrue(missing.isEmpty(), "public ops missing from the op table (add a reference case): " + missing);
    }
}
