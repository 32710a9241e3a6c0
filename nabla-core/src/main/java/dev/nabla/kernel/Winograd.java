package dev.nabla.kernel;

/**
 * Float32 convolutions with 3×3 kernels, stride 1, no dilation and one group, by Winograd's minimal filtering
 * F(2×2, 3×3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): 16 multiplications per
 * 2×2 block of outputs and pair of channels, where the direct sum takes 36, so 2.25 times fewer.
 *
 * <p>The output is cut into 2×2 tiles, each computed from the 4×4 patch of the (zero-padded) input under it:
 * {@code Y = Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A} for a kernel g and patch d, summed over the input channels. The
 * sum over channels of the element-wise products is, for each of the 16 positions ξ of the 4×4 transforms, a
 * matrix product {@code M_ξ[out, tile] = Σ_in U_ξ[in, out]·V_ξ[in, tile]} with {@code U = G·g·Gᵀ} (the
 * transformed weights) and {@code V = Bᵀ·d·B} (the transformed patches). With
 * <pre>
 *   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],  Aᵀ = [1 1 1 0; 0 1 −1 −1]
 * </pre>
 * the input and output transforms are additions only.
 *
 * <p>The three passes of training all take this form:
 * <ul>
 *   <li>forward: as above, with the bias (and a relu) added to each output tile, and optionally a 2×2 max pooling
 *       of the tile, whose windows are exactly the tiles, so the full-size output is never written;
 *   <li>input gradient: the same convolution applied to the output gradient with the kernel turned by 180°, its
 *       in and out channels swapped and padding {@code 2 − p};
 *   <li>weight gradient: {@code ∂g = Gᵀ·(Σ_tiles (A·∂Y·Aᵀ) ⊙ V)·G}, the sum over tiles again 16 matrix products.
 * </ul>
 *
 * <p>The vector lanes hold samples: a group of as many samples as a vector has lanes goes through the transforms
 * together, each lane one sample, so every load and store of a transform is a whole vector. Hence the minimum
 * batch in {@link #suits}. The rounding differs from the direct sum (the transforms add and halve before the
 * products), by a few units in the last place of the inputs' scale; every value is computed by one thread in a fixed
 * order, so results are bit-identical across thread counts.
 *
 * <p>Only with the Vector API ({@link Gemm#simdEnabled()}); the callers use im2col and the GEMM otherwise.
 */
public final class Winograd {
  private static final boolean SIMD = Gemm.simdEnabled();
  /** Fewest input or output channels taken: below this, the padded matrix products waste too much. */
  static final int MIN_CHANNELS = 8;

  private Winograd() {}

  /**
   * Whether a convolution of {@code n} samples of {@code c} channels into {@code o}, kernel {@code kh×kw}, runs
   * here: float32 with the Vector API (the caller checks the dtype), a 3×3 kernel, stride 1, dilation 1, one
   * group, padding 0 to 2 on each side, at least a vector's lanes of samples and {@value #MIN_CHANNELS} channels
   * in and out.
   */
  public static boolean suits(int n, int c, int o, int kh, int kw, int sh, int sw, int dh, int dw, int groups,
      int ph, int pw) {
    return SIMD && kh == 3 && kw == 3 && sh == 1 && sw == 1 && dh == 1 && dw == 1 && groups == 1
        && ph >= 0 && ph <= 2 && pw >= 0 && pw <= 2 && c >= MIN_CHANNELS && o >= MIN_CHANNELS
        && n >= VectorWinograd.lanes();
  }

  /**
   * {@code out = conv2d(x, w) + bias} (then relu) for x {@code [n, c, h, w]} at {@code xOff}, weights
   * {@code [o, c, 3, 3]} at {@code wOff}, padding {@code ph, pw} and output {@code oh×ow}; bias null for none.
   * Without {@code pool}, out is {@code [n, o, oh, ow]}. With it, out is the 2×2 max pooling (stride 2) of that,
   * {@code [n, o, oh/2, ow/2]}, and {@code idx} (the same shape) receives each maximum's position in its
   * {@code oh×ow} plane, as {@link MaxPool#forward} gives them.
   */
  public static void forward(float[] x, int xOff, int n, int c, int h, int w, float[] wt, int wOff, int o,
      float[] bias, int biasOff, int ph, int pw, int oh, int ow, boolean relu, boolean pool, float[] out,
      float[] idx) {
    float[] u = weights(wt, wOff, o, c, false);
    VectorWinograd.convolve(x, xOff, n, c, h, w, ph, pw, oh, ow, u, o, bias, biasOff, relu, pool, out, idx);
  }

  /**
   * The input gradient {@code out [n, c, h, w]} of a convolution with weights {@code [o, c, 3, 3]} and padding
   * {@code ph, pw}, from its output gradient {@code g [n, o, oh, ow]}: the convolution of g with the kernel turned
   * by 180° and transposed, padding {@code 2 − p}.
   */
  public static void backwardInput(float[] g, int gOff, int n, int o, int oh, int ow, float[] wt, int wOff, int c,
      int ph, int pw, int h, int w, float[] out) {
    float[] u = weights(wt, wOff, o, c, true);
    VectorWinograd.convolve(g, gOff, n, o, oh, ow, 2 - ph, 2 - pw, h, w, u, c, null, 0, false, false, out, null);
  }

  /**
   * The weight gradient {@code out [o, c, 3, 3]} (overwritten) of a convolution of x {@code [n, c, h, w]} with
   * padding {@code ph, pw}, from its output gradient {@code g [n, o, oh, ow]}.
   */
  public static void backwardWeight(float[] x, int xOff, int n, int c, int h, int w, float[] g, int gOff, int o,
      int oh, int ow, int ph, int pw, float[] out, int outOff) {
    float[] du = VectorWinograd.weightProducts(x, xOff, n, c, h, w, ph, pw, g, gOff, o, oh, ow);
    int cp = VectorWinograd.channels(c);
    int op = VectorWinograd.channels(o);
    double[] s = new double[12]; // Gᵀ·dU, 3×4
    for (int oc = 0; oc < o; oc++) {
      for (int ch = 0; ch < c; ch++) {
        for (int j = 0; j < 4; j++) { // dU_ξ at du[(ξ·cp + ch)·op + oc]
          double u0 = du[((0 * 4 + j) * cp + ch) * op + oc];
          double u1 = du[((1 * 4 + j) * cp + ch) * op + oc];
          double u2 = du[((2 * 4 + j) * cp + ch) * op + oc];
          double u3 = du[((3 * 4 + j) * cp + ch) * op + oc];
          s[j] = u0 + 0.5 * (u1 + u2);
          s[4 + j] = 0.5 * (u1 - u2);
          s[8 + j] = 0.5 * (u1 + u2) + u3;
        }
        int at = outOff + (oc * c + ch) * 9;
        for (int i = 0; i < 3; i++) { // (Gᵀ·dU)·G
          double s0 = s[4 * i];
          double s1 = s[4 * i + 1];
          double s2 = s[4 * i + 2];
          double s3 = s[4 * i + 3];
          out[at + 3 * i] = (float) (s0 + 0.5 * (s1 + s2));
          out[at + 3 * i + 1] = (float) (0.5 * (s1 - s2));
          out[at + 3 * i + 2] = (float) (0.5 * (s1 + s2) + s3);
        }
      }
    }
  }

  /**
   * The transformed weights {@code U_ξ = G·g·Gᵀ} of weights {@code [o, c, 3, 3]}, laid out {@code [16][k][nP]}
   * for the products {@code M_ξ = U_ξᵀ·V_ξ}: for the forward pass k = c (inputs) and n = o (outputs); with
   * {@code adjoint}, for the input gradient, k = o and n = c with each kernel turned by 180°. nP is n rounded up to
   * {@link VectorWinograd#MR}; the extra columns hold whatever the calling thread's scratch array held (they only
   * reach rows of M that are never read). Computed in double, then rounded once.
   */
  static float[] weights(float[] wt, int wOff, int o, int c, boolean adjoint) {
    int k = adjoint ? o : c;
    int n = adjoint ? c : o;
    int np = VectorWinograd.padded(n);
    float[] u = VectorWinograd.callerScratch(0, 16 * k * np); // columns from n on are stale: their rows of M unused
    Parallel.forRange(o, 8, (o0, o1) -> {
      double[] t = new double[12];
      for (int oc = o0; oc < o1; oc++) {
        for (int ch = 0; ch < c; ch++) {
          int at = wOff + (oc * c + ch) * 9;
          for (int j = 0; j < 3; j++) { // t = G·g, 4×3
            double g0 = wt[at + kernel(0, j, adjoint)];
            double g1 = wt[at + kernel(1, j, adjoint)];
            double g2 = wt[at + kernel(2, j, adjoint)];
            t[j] = g0;
            t[3 + j] = 0.5 * (g0 + g1 + g2);
            t[6 + j] = 0.5 * (g0 - g1 + g2);
            t[9 + j] = g2;
          }
          int row = adjoint ? oc : ch;
          int col = adjoint ? ch : oc;
          for (int i = 0; i < 4; i++) { // U = t·Gᵀ, 4×4
            double t0 = t[3 * i];
            double t1 = t[3 * i + 1];
            double t2 = t[3 * i + 2];
            u[((4 * i) * k + row) * np + col] = (float) t0;
            u[((4 * i + 1) * k + row) * np + col] = (float) (0.5 * (t0 + t1 + t2));
            u[((4 * i + 2) * k + row) * np + col] = (float) (0.5 * (t0 - t1 + t2));
            u[((4 * i + 3) * k + row) * np + col] = (float) t2;
          }
        }
      }
    });
    return u;
  }

  /** Index of kernel element (i, j) in its 3×3 block, turned by 180° when {@code turned}. */
  private static int kernel(int i, int j, boolean turned) {
    return turned ? (2 - i) * 3 + (2 - j) : i * 3 + j;
  }
}
