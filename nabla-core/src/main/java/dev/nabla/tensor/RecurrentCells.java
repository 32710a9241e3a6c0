package dev.nabla.tensor;

import dev.nabla.kernel.Cells;

/**
 * The fused recurrent cells {@link Prim#LSTM_CELL} and {@link Prim#GRU_CELL}: shape checks, the forward, and the
 * backward used when no graph of the backward is recorded (kernels in {@link Cells}). When recording, the forward
 * saves the activated gates in the node's {@code aux}, so the backward reads them instead of recomputing; with
 * {@code createGraph} {@link Derivatives} composes the same rule from tensor ops, so it can be differentiated again.
 */
final class RecurrentCells {
    private RecurrentCells() {}

    /** See {@link Tensor#lstmCell}. */
    static Tensor lstmCell(Tensor inputGates, Tensor hiddenGates, Tensor c) {
        int hidden = check("lstmCell", inputGates, hiddenGates, c, 4, "cell");
        int n = c.shape[0];
        Tensor x = rows(inputGates);
        Tensor h = rows(hiddenGates);
        Tensor cc = rows(c);
        Tensor[] inputs = {inputGates, hiddenGates, c};
        Tensor out = Tensor.empty(c.dtype, new int[] {n, 2 * hidden});
        Tensor saved = Tensor.recording(inputs) ? Tensor.empty(c.dtype, new int[] {n, 5 * hidden}) : null;
        if (c.f != null) {
            Cells.lstmForward(n, hidden, x.f, x.offset, ld(x), h.f, h.offset, ld(h), cc.f, cc.offset, ld(cc), out.f,
                    saved == null ? null : saved.f);
        } else {
            Cells.lstmForward(n, hidden, x.d, x.offset, ld(x), h.d, h.offset, ld(h), cc.d, cc.offset, ld(cc), out.d,
                    saved == null ? null : saved.d);
        }
        return Tensor.record(out, Prim.LSTM_CELL, inputs, null, 0, saved);
    }

    /** The gradients of an LSTM cell's three inputs from the saved activations; {@code g} is the output's gradient. */
    static Tensor[] lstmBackward(Node node, Tensor g, boolean[] needs) {
        Tensor c = rows(node.inputs[2]);
        Tensor gr = rows(g);
        int n = c.shape[0];
        int hidden = c.shape[1];
        Tensor dGates = Tensor.empty(c.dtype, new int[] {n, 4 * hidden});
        Tensor dC = needs[2] ? Tensor.empty(c.dtype, new int[] {n, hidden}) : null;
        if (c.f != null) {
            Cells.lstmBackward(n, hidden, gr.f, gr.offset, ld(gr), c.f, c.offset, ld(c), node.aux.f, dGates.f,
                    dC == null ? null : dC.f);
        } else {
            Cells.lstmBackward(n, hidden, gr.d, gr.offset, ld(gr), c.d, c.offset, ld(c), node.aux.d, dGates.d,
                    dC == null ? null : dC.d);
        }
        return new Tensor[] {dGates, dGates, dC};
    }

    /** See {@link Tensor#gruCell}. */
    static Tensor gruCell(Tensor inputGates, Tensor hiddenGates, Tensor h) {
        int hidden = check("gruCell", inputGates, hiddenGates, h, 3, "state");
        int n = h.shape[0];
        Tensor x = rows(inputGates);
        Tensor hg = rows(hiddenGates);
        Tensor prev = rows(h);
        Tensor[] inputs = {inputGates, hiddenGates, h};
        Tensor out = Tensor.empty(h.dtype, new int[] {n, hidden});
        Tensor saved = Tensor.recording(inputs) ? Tensor.empty(h.dtype, new int[] {n, 3 * hidden}) : null;
        if (h.f != null) {
            Cells.gruForward(n, hidden, x.f, x.offset, ld(x), hg.f, hg.offset, ld(hg), prev.f, prev.offset, ld(prev),
                    out.f, saved == null ? null : saved.f);
        } else {
            Cells.gruForward(n, hidden, x.d, x.offset, ld(x), hg.d, hg.offset, ld(hg), prev.d, prev.offset, ld(prev),
                    out.d, saved == null ? null : saved.d);
        }
        return Tensor.record(out, Prim.GRU_CELL, inputs, null, 0, saved);
    }

    /** The gradients of a GRU cell's three inputs from the saved activations. */
    static Tensor[] gruBackward(Node node, Tensor g, boolean[] needs) {
        Tensor hg = rows(node.inputs[1]);
        Tensor prev = rows(node.inputs[2]);
        Tensor gr = rows(g);
        int n = prev.shape[0];
        int hidden = prev.shape[1];
        Tensor dX = Tensor.empty(prev.dtype, new int[] {n, 3 * hidden});
        Tensor dH = Tensor.empty(prev.dtype, new int[] {n, 3 * hidden});
        Tensor dPrev = needs[2] ? Tensor.empty(prev.dtype, new int[] {n, hidden}) : null;
        if (prev.f != null) {
            Cells.gruBackward(n, hidden, gr.f, gr.offset, ld(gr), hg.f, hg.offset, ld(hg), prev.f, prev.offset,
                    ld(prev), node.aux.f, dX.f, dH.f, dPrev == null ? null : dPrev.f);
        } else {
            Cells.gruBackward(n, hidden, gr.d, gr.offset, ld(gr), hg.d, hg.offset, ld(hg), prev.d, prev.offset,
                    ld(prev), node.aux.d, dX.d, dH.d, dPrev == null ? null : dPrev.d);
        }
        return new Tensor[] {dX, dH, dPrev};
    }

    /** Checks gates {@code [N, gates·H]} (both alike) against a state {@code [N, H]}; returns H. */
    private static int check(String op, Tensor x, Tensor h, Tensor state, int gates, String stateName) {
        boolean ok = x.dim() == 2 && state.dim() == 2 && java.util.Arrays.equals(x.shape, h.shape)
                && x.shape[0] == state.shape[0] && x.shape[1] == gates * state.shape[1];
        if (!ok) {
            throw new IllegalArgumentException(op + ": input gates " + Shapes.str(x.shape) + ", hidden gates "
                    + Shapes.str(h.shape) + " and " + stateName + " " + Shapes.str(state.shape) + " must be [N, "
                    + gates + "H], [N, " + gates + "H] and [N, H]");
        }
        Tensor.checkSameDtype(op, x, h);
        Tensor.checkSameDtype(op, x, state);
        return state.shape[1];
    }

    /** {@code t} itself when its rows lie at a fixed stride with unit column stride, else a contiguous copy. */
    private static Tensor rows(Tensor t) {
        boolean unitColumns = t.shape[1] <= 1 || t.strides[1] == 1;
        boolean rowsApart = t.shape[0] <= 1 || t.strides[0] >= t.shape[1];
        return unitColumns && rowsApart ? t : t.contiguousCopy();
    }

    /** The row stride of a matrix that {@link #rows} accepted. */
    private static int ld(Tensor t) {
        return t.shape[0] <= 1 ? t.shape[1] : t.strides[0];
    }
}
