package dev.nabla.kernel;

/**
 * What a GEMM does to each block of C once the block's sum is complete, while the block is still in the cache:
 * adds a bias to every row (one value per column of C), then, if asked, applies relu (keeping NaN, as
 * {@link Fused#relu}). A dense layer's {@code relu(x·Wᵀ + b)} then costs no pass over its output of its own, and
 * with threads this part runs in the parallel section instead of after it on the calling thread.
 *
 * @param bias one value per column of C (at least n), or null for none
 * @param relu whether relu follows the bias
 */
public record Epilogue(float[] bias, boolean relu) {

  /** Applies this to rows {@code [i0, i1)} × columns {@code [j0, j1)} of C (stored at {@code cOff}, {@code ldc}). */
  void apply(float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1) {
    for (int i = i0; i < i1; i++) {
      Fused.biasActInPlace(c, cOff + i * ldc + j0, bias, j0, relu, j1 - j0);
    }
  }

  /**
   * This applied to {@code n} values of column {@code j} stored side by side from {@code t[off]} (a transposed tile):
   * the same arithmetic as {@link #apply}, with vectors, so no branch depends on the data.
   */
  void applyToColumn(float[] t, int off, int n, int j) {
    if (bias != null) {
      Fused.biasRelu(t, off, bias[j], relu, t, off, n);
    } else {
      Fused.biasActInPlace(t, off, null, 0, relu, n);
    }
  }

  /** Checks the bias against C's n columns. */
  void check(String op, int n) {
    if (bias != null && bias.length < n) {
      throw new IllegalArgumentException(op + ": the epilogue's bias has " + bias.length + " values for " + n
          + " columns of C");
    }
  }
}
