package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.GradCheck;
import dev.nabla.autograd.GradMode;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The fused LSTM and GRU cells beyond the op harness: second derivatives (the tensor-op rule) against finite
 * differences and equal to the kernel's first derivatives, float32 against float64 on sizes that use the vector
 * path, views read in place, nothing saved outside recording, errors.
 */
class RecurrentCellsTest {
    private static Tensor rnd(long seed, int... shape) {
        return Tensor.uniform(DType.FLOAT64, new Generator(seed), -2, 2, shape);
    }

    private interface Cell {
        Tensor apply(Tensor x, Tensor h, Tensor s);
    }

    private static final Cell LSTM = Tensor::lstmCell;
    private static final Cell GRU = Tensor::gruCell;

    /** Σ over inputs of ‖∂⟨cell, g⟩/∂input‖², whose gradient is made of the cell's second derivatives. */
    private static Function<Tensor[], Tensor> gradNorm(Cell cell) {
        return xs -> {
            Tensor y = cell.apply(xs[0], xs[1], xs[2]);
            Tensor[] g = Tensor.gradients(y, new Tensor[] {xs[0], xs[1], xs[2]}, xs[3], true, true);
            return g[0].square().sum().add(g[1].square().sum()).add(g[2].square().sum());
        };
    }

    @Test
    void secondDerivativesPassGradCheck() {
        GradCheck.Result lstm = GradCheck.check(gradNorm(LSTM), rnd(1, 2, 8), rnd(2, 2, 8), rnd(3, 2, 2),
                rnd(4, 2, 4));
        assertTrue(lstm.passed(), "lstmCell: " + lstm);
        GradCheck.Result gru = GradCheck.check(gradNorm(GRU), rnd(5, 2, 6), rnd(6, 2, 6), rnd(7, 2, 2), rnd(8, 2, 2));
        assertTrue(gru.passed(), "gruCell: " + gru);
    }

    @Test
    void tensorOpRuleEqualsTheKernel() {
        for (Cell cell : new Cell[] {LSTM, GRU}) {
            int gates = cell == LSTM ? 4 : 3;
            Tensor[] in = {rnd(11, 3, gates * 5), rnd(12, 3, gates * 5), rnd(13, 3, 5)};
            Tensor g = rnd(14, cell.apply(in[0], in[1], in[2]).shape());
            Tensor[] leaves = {in[0].requiresGrad(true), in[1].requiresGrad(true), in[2].requiresGrad(true)};
            Tensor[] kernel = Tensor.gradients(cell.apply(leaves[0], leaves[1], leaves[2]), leaves, g, false, false);
            Tensor[] composed = Tensor.gradients(cell.apply(leaves[0], leaves[1], leaves[2]), leaves, g, false, true);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(kernel[i].toDoubleArray(), composed[i].toDoubleArray(), 1e-12,
                        (cell == LSTM ? "lstm" : "gru") + " input " + i);
            }
        }
    }

    @Test
    void float32MatchesFloat64WithStridedInputs() {
        int n = 5;
        int hidden = 37; // a vector body and a tail
        for (Cell cell : new Cell[] {LSTM, GRU}) {
            int gates = cell == LSTM ? 4 : 3;
            // input gates: one time step of a [n, 3, gates·H] sequence, read in place; state: a narrowed view
            Tensor seq = rnd(21, n, 3, gates * hidden);
            Tensor hg = rnd(22, n, gates * hidden);
            Tensor wide = rnd(23, n, 2 * hidden);
            Tensor g = rnd(24, n, cell == LSTM ? 2 * hidden : hidden);
            Tensor[] grads32 = gradients(cell, seq.to(DType.FLOAT32), hg.to(DType.FLOAT32), wide.to(DType.FLOAT32),
                    g.to(DType.FLOAT32), hidden);
            Tensor[] grads64 = gradients(cell, seq, hg, wide, g, hidden);
            for (int i = 0; i < grads64.length; i++) {
                double[] e = grads64[i].toDoubleArray();
                double[] a = grads32[i].to(DType.FLOAT64).toDoubleArray();
                for (int j = 0; j < e.length; j++) {
                    assertEquals(e[j], a[j], 2e-5 * (1 + Math.abs(e[j])), "result " + i + " at " + j);
                }
            }
        }
    }

    /** The output, then the gradients of the sequence, the hidden gates and the wide state. */
    private static Tensor[] gradients(Cell cell, Tensor seq, Tensor hg, Tensor wide, Tensor g, int hidden) {
        Tensor[] leaves = {seq.requiresGrad(true), hg.requiresGrad(true), wide.requiresGrad(true)};
        Tensor y = cell.apply(leaves[0].select(1, 1), leaves[1], leaves[2].narrow(1, hidden, hidden));
        y.backward(g);
        return new Tensor[] {y.detach(), leaves[0].grad(), leaves[1].grad(), leaves[2].grad()};
    }

    @Test
    void savesNothingWhenNotRecording() {
        Tensor x = rnd(31, 2, 8).requiresGrad(true);
        try (var scope = GradMode.noGrad()) {
            Tensor y = x.lstmCell(rnd(32, 2, 8), rnd(33, 2, 2));
            assertNull(y.gradFn());
        }
        assertEquals(Prim.LSTM_CELL, x.lstmCell(rnd(32, 2, 8), rnd(33, 2, 2)).gradFn());
    }

    @Test
    void errorsNameTheShapes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(2, 8).lstmCell(Tensor.zeros(2, 8), Tensor.zeros(2, 3)));
        assertEquals("lstmCell: input gates [2, 8], hidden gates [2, 8] and cell [2, 3] must be [N, 4H], [N, 4H] and"
                + " [N, H]", e.getMessage());
        var g = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(2, 6).gruCell(Tensor.zeros(3, 6), Tensor.zeros(2, 2)));
        assertEquals("gruCell: input gates [2, 6], hidden gates [3, 6] and state [2, 2] must be [N, 3H], [N, 3H] and"
                + " [N, H]", g.getMessage());
        var d = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(2, 8).lstmCell(Tensor.zeros(2, 8), Tensor.zeros(DType.FLOAT64, 2, 2)));
        assertTrue(d.getMessage().startsWith("lstmCell: dtypes differ"), d.getMessage());
    }
}
