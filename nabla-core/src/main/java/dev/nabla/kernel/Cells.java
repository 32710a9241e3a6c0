package dev.nabla.kernel;

/**
 * The element-wise part of one LSTM or GRU time step, forward and backward, as one pass over the gate
 * pre-activations instead of a dozen element-wise ops: PyTorch's {@code _thnn_fused_lstm_cell} and
 * {@code _thnn_fused_gru_cell}, gate order and all.
 *
 * <p>Matrices are row-major with unit column stride: an operand is an array, the offset of its first element and
 * its row stride ({@code ld}), so a time step's slice of a whole sequence's input projection is read in place.
 * Outputs and saved activations are contiguous. With H the hidden size, per row:
 * <pre>
 * LSTM  i, f, o = σ(x + h) in gate blocks 0, 1, 3;  g = tanh(x + h) in block 2
 *       c' = f·c + i·g;  h' = o·tanh(c');  out = [h' | c'];  saved = [i | f | g | o | tanh(c')]
 * GRU   r, z = σ(x + h) in blocks 0, 1;  n = tanh(x₂ + r·h₂);  h' = n + z·(h − n);  saved = [r | z | n]
 * </pre>
 * float32 uses {@link FastMath#sigmoid} and {@link FastMath#tanh}, whose Vector API passes ({@code VectorMath}) give
 * bit-identical results, so the two paths of every kernel here agree bit for bit. float64 uses {@link Math#exp} and
 * {@link Math#tanh}.
 */
public final class Cells {
    private static final boolean SIMD = Gemm.simdEnabled();

    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    // ------------------------------------------------------------------------------------------ LSTM

    /**
     * LSTM forward for {@code rows × hidden}: input gates x and hidden gates h ({@code rows × 4·hidden}), previous
     * cell c ({@code rows × hidden}); writes {@code out} ({@code rows × 2·hidden}: h' then c') and, unless null,
     * {@code saved} ({@code rows × 5·hidden}).
     */
    public static void lstmForward(int rows, int hidden, float[] x, int xOff, int xLd, float[] h, int hOff, int hLd,
            float[] c, int cOff, int cLd, float[] out, float[] saved) {
        float[] act = SIMD && saved == null ? new float[5 * hidden] : saved;
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * xLd;
            int hr = hOff + r * hLd;
            int cr = cOff + r * cLd;
            if (SIMD) {
                VectorCells.lstmForward(hidden, x, xr, h, hr, c, cr, out, r * 2 * hidden, act,
                        saved == null ? 0 : r * 5 * hidden);
            } else {
                lstmForwardPlain(0, hidden, x, xr, h, hr, c, cr, out, r * 2 * hidden, saved, r * 5 * hidden);
            }
        }
    }

    /** Columns {@code [from, hidden)} of one row of {@link #lstmForward}, with plain Java. */
    static void lstmForwardPlain(int from, int hidden, float[] x, int xr, float[] h, int hr, float[] c, int cr,
            float[] out, int or, float[] saved, int sr) {
        int hh = hidden;
        for (int j = from; j < hidden; j++) {
            float i = FastMath.sigmoid(x[xr + j] + h[hr + j]);
            float f = FastMath.sigmoid(x[xr + hh + j] + h[hr + hh + j]);
            float g = FastMath.tanh(x[xr + 2 * hh + j] + h[hr + 2 * hh + j]);
            float o = FastMath.sigmoid(x[xr + 3 * hh + j] + h[hr + 3 * hh + j]);
            float cNext = Math.fma(f, c[cr + j], i * g);
            float t = FastMath.tanh(cNext);
            out[or + j] = o * t;
            out[or + hh + j] = cNext;
            if (saved != null) {
                saved[sr + j] = i;
                saved[sr + hh + j] = f;
                saved[sr + 2 * hh + j] = g;
                saved[sr + 3 * hh + j] = o;
                saved[sr + 4 * hh + j] = t;
            }
        }
    }

    /**
     * LSTM backward: from the gradient {@code grad} of {@code [h' | c']} ({@code rows × 2·hidden}), the previous cell
     * c and the forward's {@code saved} activations, writes the gradient of the gate pre-activations {@code dGates}
     * ({@code rows × 4·hidden}) and, unless null, of the previous cell {@code dC} ({@code rows × hidden}):
     * <pre>
     * dc' = grad_c + grad_h·o·(1 − tanh²c');  di = dc'·g·i(1 − i);  df = dc'·c·f(1 − f);
     * dg = dc'·i·(1 − g²);  do = grad_h·tanh(c')·o(1 − o);  dc = dc'·f
     * </pre>
     */
    public static void lstmBackward(int rows, int hidden, float[] grad, int gOff, int gLd, float[] c, int cOff,
            int cLd, float[] saved, float[] dGates, float[] dC) {
        for (int r = 0; r < rows; r++) {
            int gr = gOff + r * gLd;
            int cr = cOff + r * cLd;
            int from = SIMD ? VectorCells.lstmBackward(hidden, grad, gr, c, cr, saved, r * 5 * hidden, dGates,
                    r * 4 * hidden, dC, r * hidden) : 0;
            lstmBackwardPlain(from, hidden, grad, gr, c, cr, saved, r * 5 * hidden, dGates, r * 4 * hidden, dC,
                    r * hidden);
        }
    }

    static void lstmBackwardPlain(int from, int hidden, float[] grad, int gr, float[] c, int cr, float[] saved,
            int sr, float[] dGates, int dr, float[] dC, int dcr) {
        int hh = hidden;
        for (int j = from; j < hidden; j++) {
            float i = saved[sr + j];
            float f = saved[sr + hh + j];
            float g = saved[sr + 2 * hh + j];
            float o = saved[sr + 3 * hh + j];
            float t = saved[sr + 4 * hh + j];
            float gh = grad[gr + j];
            float dcNext = Math.fma(gh * o, Math.fma(-t, t, 1f), grad[gr + hh + j]);
            dGates[dr + j] = dcNext * g * (i * (1f - i));
            dGates[dr + hh + j] = dcNext * c[cr + j] * (f * (1f - f));
            dGates[dr + 2 * hh + j] = dcNext * i * Math.fma(-g, g, 1f);
            dGates[dr + 3 * hh + j] = gh * t * (o * (1f - o));
            if (dC != null) {
                dC[dcr + j] = dcNext * f;
            }
        }
    }

    /** {@link #lstmForward} in float64, with {@link Math#exp} and {@link Math#tanh}. */
    public static void lstmForward(int rows, int hidden, double[] x, int xOff, int xLd, double[] h, int hOff,
            int hLd, double[] c, int cOff, int cLd, double[] out, double[] saved) {
        int hh = hidden;
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * xLd;
            int hr = hOff + r * hLd;
            int cr = cOff + r * cLd;
            int or = r * 2 * hh;
            int sr = r * 5 * hh;
            for (int j = 0; j < hidden; j++) {
                double i = sigmoid(x[xr + j] + h[hr + j]);
                double f = sigmoid(x[xr + hh + j] + h[hr + hh + j]);
                double g = Math.tanh(x[xr + 2 * hh + j] + h[hr + 2 * hh + j]);
                double o = sigmoid(x[xr + 3 * hh + j] + h[hr + 3 * hh + j]);
                double cNext = f * c[cr + j] + i * g;
                double t = Math.tanh(cNext);
                out[or + j] = o * t;
                out[or + hh + j] = cNext;
                if (saved != null) {
                    saved[sr + j] = i;
                    saved[sr + hh + j] = f;
                    saved[sr + 2 * hh + j] = g;
                    saved[sr + 3 * hh + j] = o;
                    saved[sr + 4 * hh + j] = t;
                }
            }
        }
    }

    /** {@link #lstmBackward} in float64. */
    public static void lstmBackward(int rows, int hidden, double[] grad, int gOff, int gLd, double[] c, int cOff,
            int cLd, double[] saved, double[] dGates, double[] dC) {
        int hh = hidden;
        for (int r = 0; r < rows; r++) {
            int gr = gOff + r * gLd;
            int cr = cOff + r * cLd;
            int sr = r * 5 * hh;
            int dr = r * 4 * hh;
            for (int j = 0; j < hidden; j++) {
                double i = saved[sr + j];
                double f = saved[sr + hh + j];
                double g = saved[sr + 2 * hh + j];
                double o = saved[sr + 3 * hh + j];
                double t = saved[sr + 4 * hh + j];
                double gh = grad[gr + j];
                double dcNext = grad[gr + hh + j] + gh * o * (1 - t * t);
                dGates[dr + j] = dcNext * g * i * (1 - i);
                dGates[dr + hh + j] = dcNext * c[cr + j] * f * (1 - f);
                dGates[dr + 2 * hh + j] = dcNext * i * (1 - g * g);
                dGates[dr + 3 * hh + j] = gh * t * o * (1 - o);
                if (dC != null) {
                    dC[r * hh + j] = dcNext * f;
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------ GRU

    /**
     * GRU forward for {@code rows × hidden}: input gates x and hidden gates h ({@code rows × 3·hidden}, the hidden
     * ones including their bias, as the reset gate scales it), previous state {@code prev} ({@code rows × hidden});
     * writes {@code out} ({@code rows × hidden}) and, unless null, {@code saved} ({@code rows × 3·hidden}).
     */
    public static void gruForward(int rows, int hidden, float[] x, int xOff, int xLd, float[] h, int hOff, int hLd,
            float[] prev, int pOff, int pLd, float[] out, float[] saved) {
        float[] act = SIMD && saved == null ? new float[3 * hidden] : saved;
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * xLd;
            int hr = hOff + r * hLd;
            int pr = pOff + r * pLd;
            if (SIMD) {
                VectorCells.gruForward(hidden, x, xr, h, hr, prev, pr, out, r * hidden, act,
                        saved == null ? 0 : r * 3 * hidden);
            } else {
                gruForwardPlain(0, hidden, x, xr, h, hr, prev, pr, out, r * hidden, saved, r * 3 * hidden);
            }
        }
    }

    static void gruForwardPlain(int from, int hidden, float[] x, int xr, float[] h, int hr, float[] prev, int pr,
            float[] out, int or, float[] saved, int sr) {
        int hh = hidden;
        for (int j = from; j < hidden; j++) {
            float rg = FastMath.sigmoid(x[xr + j] + h[hr + j]);
            float z = FastMath.sigmoid(x[xr + hh + j] + h[hr + hh + j]);
            float n = FastMath.tanh(Math.fma(rg, h[hr + 2 * hh + j], x[xr + 2 * hh + j]));
            out[or + j] = Math.fma(z, prev[pr + j] - n, n);
            if (saved != null) {
                saved[sr + j] = rg;
                saved[sr + hh + j] = z;
                saved[sr + 2 * hh + j] = n;
            }
        }
    }

    /**
     * GRU backward: from the gradient {@code grad} of h' ({@code rows × hidden}), the hidden gates h, the previous
     * state and the forward's {@code saved} activations, writes the gradients of the input gates {@code dX} and the
     * hidden gates {@code dH} ({@code rows × 3·hidden}) and, unless null, of the previous state {@code dPrev}:
     * <pre>
     * dn = grad·(1 − z)·(1 − n²);  dz = grad·(prev − n)·z(1 − z);  dr = dn·h₂·r(1 − r)
     * dX = [dr | dz | dn];  dH = [dr | dz | dn·r];  dPrev = grad·z
     * </pre>
     */
    public static void gruBackward(int rows, int hidden, float[] grad, int gOff, int gLd, float[] h, int hOff, int hLd,
            float[] prev, int pOff, int pLd, float[] saved, float[] dX, float[] dH, float[] dPrev) {
        for (int r = 0; r < rows; r++) {
            int gr = gOff + r * gLd;
            int hr = hOff + r * hLd;
            int pr = pOff + r * pLd;
            int from = SIMD ? VectorCells.gruBackward(hidden, grad, gr, h, hr, prev, pr, saved, r * 3 * hidden, dX, dH,
                    r * 3 * hidden, dPrev, r * hidden) : 0;
            gruBackwardPlain(from, hidden, grad, gr, h, hr, prev, pr, saved, r * 3 * hidden, dX, dH, r * 3 * hidden,
                    dPrev, r * hidden);
        }
    }

    static void gruBackwardPlain(int from, int hidden, float[] grad, int gr, float[] h, int hr, float[] prev, int pr,
            float[] saved, int sr, float[] dX, float[] dH, int dr, float[] dPrev, int dpr) {
        int hh = hidden;
        for (int j = from; j < hidden; j++) {
            float rg = saved[sr + j];
            float z = saved[sr + hh + j];
            float n = saved[sr + 2 * hh + j];
            float g = grad[gr + j];
            float dn = g * (1f - z) * Math.fma(-n, n, 1f);
            float dz = g * (prev[pr + j] - n) * (z * (1f - z));
            float dReset = dn * h[hr + 2 * hh + j] * (rg * (1f - rg));
            dX[dr + j] = dReset;
            dX[dr + hh + j] = dz;
            dX[dr + 2 * hh + j] = dn;
            dH[dr + j] = dReset;
            dH[dr + hh + j] = dz;
            dH[dr + 2 * hh + j] = dn * rg;
            if (dPrev != null) {
                dPrev[dpr + j] = g * z;
            }
        }
    }

    /** {@link #gruForward} in float64. */
    public static void gruForward(int rows, int hidden, double[] x, int xOff, int xLd, double[] h, int hOff, int hLd,
            double[] prev, int pOff, int pLd, double[] out, double[] saved) {
        int hh = hidden;
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * xLd;
            int hr = hOff + r * hLd;
            int pr = pOff + r * pLd;
            for (int j = 0; j < hidden; j++) {
                double rg = sigmoid(x[xr + j] + h[hr + j]);
                double z = sigmoid(x[xr + hh + j] + h[hr + hh + j]);
                double n = Math.tanh(x[xr + 2 * hh + j] + rg * h[hr + 2 * hh + j]);
                out[r * hh + j] = n + z * (prev[pr + j] - n);
                if (saved != null) {
                    saved[r * 3 * hh + j] = rg;
                    saved[r * 3 * hh + hh + j] = z;
                    saved[r * 3 * hh + 2 * hh + j] = n;
                }
            }
        }
    }

    /** {@link #gruBackward} in float64. */
    public static void gruBackward(int rows, int hidden, double[] grad, int gOff, int gLd, double[] h, int hOff,
            int hLd, double[] prev, int pOff, int pLd, double[] saved, double[] dX, double[] dH, double[] dPrev) {
        int hh = hidden;
        for (int r = 0; r < rows; r++) {
            int gr = gOff + r * gLd;
            int hr = hOff + r * hLd;
            int pr = pOff + r * pLd;
            int sr = r * 3 * hh;
            for (int j = 0; j < hidden; j++) {
                double rg = saved[sr + j];
                double z = saved[sr + hh + j];
                double n = saved[sr + 2 * hh + j];
                double g = grad[gr + j];
                double dn = g * (1 - z) * (1 - n * n);
                double dz = g * (prev[pr + j] - n) * z * (1 - z);
                double dReset = dn * h[hr + 2 * hh + j] * rg * (1 - rg);
                dX[sr + j] = dReset;
                dX[sr + hh + j] = dz;
                dX[sr + 2 * hh + j] = dn;
                dH[sr + j] = dReset;
                dH[sr + hh + j] = dz;
                dH[sr + 2 * hh + j] = dn * rg;
                if (dPrev != null) {
                    dPrev[r * hh + j] = g * z;
                }
            }
        }
    }
}
