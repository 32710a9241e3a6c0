package dev.nabla.kernel;

/**
 * The unfolding that turns a convolution into one GEMM: {@code im2col} copies every receptive field of an image
 * into a column, {@code col2im} adds columns back onto the image (its adjoint, used by the input gradient).
 *
 * <p>For one image of {@code c} channels {@code h×w}, the column matrix is {@code [c·kh·kw, oh·ow]}, row-major:
 * {@code cols[(ch·kh·kw + i·kw + j)·oh·ow + y·ow + x] = img[ch][y·sh − ph + i·dh][x·sw − pw + j·dw]}, zero where
 * that position falls in the padding. The loops find each row's valid range once, so the interior is a straight
 * copy ({@link System#arraycopy} at stride 1) with no bounds test per element.
 *
 * <p>With stride 1 and an output as wide as the image ("same" padding), a whole row of the column matrix is one
 * shifted span of the image, except for the padding columns at the ends of its image rows: float im2col copies the
 * span at once and then zeroes those, and float col2im adds the span at once after setting them to −0 (which adds
 * nothing, exactly). Each image element receives its contributions in the same order either way.
 */
public final class Im2col {
  private Im2col() {}

  /** The geometry of one convolution: sizes of the image, kernel and output, and the stride, padding, dilation. */
  public record Geometry(int c, int h, int w, int kh, int kw, int oh, int ow, int sh, int sw, int ph, int pw,
      int dh, int dw) {
    /** Rows of the column matrix: c·kh·kw. */
    public int rows() {
      return c * kh * kw;
    }

    /** Columns of the column matrix: oh·ow. */
    public int cols() {
      return oh * ow;
    }

    /** True for stride 1 and an output as wide as the image: a row of the column matrix is one span of the image. */
    boolean spans() {
      return sh == 1 && sw == 1 && ow == w;
    }

    /** The first output row whose input row {@code y·sh − ph + i·dh} is inside the image (for stride 1). */
    int yStart(int i) {
      return Math.min(oh, Math.max(0, ph - i * dh));
    }

    /** One past the last output row whose input row is inside the image (for stride 1). */
    int yEnd(int i) {
      return Math.max(yStart(i), Math.min(oh, h + ph - i * dh));
    }

    /** The first output column whose input column {@code x·sw − pw + j·dw} is inside the image. */
    int xStart(int j) {
      int shift = pw - j * dw;
      return shift <= 0 ? 0 : Math.min(ow, (shift + sw - 1) / sw);
    }

    /** One past the last output column whose input column is inside the image. */
    int xEnd(int j) {
      int limit = w - 1 + pw - j * dw;
      return limit < 0 ? xStart(j) : Math.max(xStart(j), Math.min(ow, limit / sw + 1));
    }
  }

  /** Unfolds one image at {@code img[imgOff..]} into {@code cols[colsOff..]}, overwriting it. */
  public static void im2col(Geometry g, float[] img, int imgOff, float[] cols, int colsOff) {
    im2col(g, img, imgOff, cols, colsOff, g.cols());
  }

  /** As {@link #im2col(Geometry, float[], int, float[], int)} with rows {@code ld} apart in {@code cols} (ld ≥ oh·ow). */
  public static void im2col(Geometry g, float[] img, int imgOff, float[] cols, int colsOff, int ld) {
    if (g.spans()) {
      im2colSpans(g, img, imgOff, cols, colsOff, ld);
    } else {
      im2colRows(g, img, imgOff, cols, colsOff, ld);
    }
  }

  /** im2col one image row at a time (any geometry). */
  static void im2colRows(Geometry g, float[] img, int imgOff, float[] cols, int colsOff, int ld) {
    int row = colsOff;
    for (int ch = 0; ch < g.c; ch++) {
      int plane = imgOff + ch * g.h * g.w;
      for (int i = 0; i < g.kh; i++) {
        for (int j = 0; j < g.kw; j++, row += ld) {
          int x0 = g.xStart(j);
          int x1 = g.xEnd(j);
          int dx = j * g.dw - g.pw;
          for (int y = 0; y < g.oh; y++) {
            int at = row + y * g.ow;
            int iy = y * g.sh - g.ph + i * g.dh;
            if (iy < 0 || iy >= g.h) {
              java.util.Arrays.fill(cols, at, at + g.ow, 0f);
              continue;
            }
            int src = plane + iy * g.w + dx;
            java.util.Arrays.fill(cols, at, at + x0, 0f);
            if (g.sw == 1 && x1 > x0) { // when the padding covers the row, src + x0 may lie before the image
              System.arraycopy(img, src + x0, cols, at + x0, x1 - x0);
            } else {
              for (int x = x0; x < x1; x++) {
                cols[at + x] = img[src + x * g.sw];
              }
            }
            java.util.Arrays.fill(cols, at + x1, at + g.ow, 0f);
          }
        }
      }
    }
  }

  /** im2col for {@link Geometry#spans()}: one copy per row of the column matrix, then its padding columns zeroed. */
  static void im2colSpans(Geometry g, float[] img, int imgOff, float[] cols, int colsOff, int ld) {
    int ow = g.ow;
    int row = colsOff;
    for (int ch = 0; ch < g.c; ch++) {
      int plane = imgOff + ch * g.h * g.w;
      for (int i = 0; i < g.kh; i++) {
        int ya = g.yStart(i);
        int yb = g.yEnd(i);
        for (int j = 0; j < g.kw; j++, row += ld) {
          int x0 = g.xStart(j);
          int x1 = g.xEnd(j);
          java.util.Arrays.fill(cols, row, row + ya * ow, 0f);
          java.util.Arrays.fill(cols, row + yb * ow, row + g.oh * ow, 0f);
          if (x1 > x0 && yb > ya) {
            int from = row + ya * ow + x0;
            int src = plane + (ya - g.ph + i * g.dh) * g.w + j * g.dw - g.pw + x0;
            System.arraycopy(img, src, cols, from, row + (yb - 1) * ow + x1 - from);
          }
          for (int at = row + ya * ow; at < row + yb * ow; at += ow) { // the copy put neighbouring rows' ends here
            for (int x = 0; x < x0; x++) {
              cols[at + x] = 0f;
            }
            for (int x = x1; x < ow; x++) {
              cols[at + x] = 0f;
            }
          }
        }
      }
    }
  }

  /** {@link #im2col(Geometry, float[], int, float[], int)} in double precision. */
  public static void im2col(Geometry g, double[] img, int imgOff, double[] cols, int colsOff) {
    im2col(g, img, imgOff, cols, colsOff, g.cols());
  }

  /** As {@link #im2col(Geometry, double[], int, double[], int)} with rows {@code ld} apart in {@code cols} (ld ≥ oh·ow). */
  public static void im2col(Geometry g, double[] img, int imgOff, double[] cols, int colsOff, int ld) {
    int row = colsOff;
    for (int ch = 0; ch < g.c; ch++) {
      int plane = imgOff + ch * g.h * g.w;
      for (int i = 0; i < g.kh; i++) {
        for (int j = 0; j < g.kw; j++, row += ld) {
          int x0 = g.xStart(j);
          int x1 = g.xEnd(j);
          int dx = j * g.dw - g.pw;
          for (int y = 0; y < g.oh; y++) {
            int at = row + y * g.ow;
            int iy = y * g.sh - g.ph + i * g.dh;
            if (iy < 0 || iy >= g.h) {
              java.util.Arrays.fill(cols, at, at + g.ow, 0.0);
              continue;
            }
            int src = plane + iy * g.w + dx;
            java.util.Arrays.fill(cols, at, at + x0, 0.0);
            for (int x = x0; x < x1; x++) {
              cols[at + x] = img[src + x * g.sw];
            }
            java.util.Arrays.fill(cols, at + x1, at + g.ow, 0.0);
          }
        }
      }
    }
  }

  /** Adds the columns {@code cols[colsOff..]} back onto the image {@code img[imgOff..]} (the adjoint of im2col). */
  public static void col2im(Geometry g, float[] cols, int colsOff, float[] img, int imgOff) {
    col2im(g, cols, colsOff, img, imgOff, g.cols());
  }

  /**
   * As {@link #col2im(Geometry, float[], int, float[], int)} with rows {@code ld} apart in {@code cols}. Entries of
   * {@code cols} that fall in the padding may be overwritten with −0.
   */
  public static void col2im(Geometry g, float[] cols, int colsOff, float[] img, int imgOff, int ld) {
    if (g.spans()) {
      col2imSpans(g, cols, colsOff, img, imgOff, ld);
    } else {
      col2imRows(g, cols, colsOff, img, imgOff, ld);
    }
  }

  /** col2im one image row at a time (any geometry). */
  static void col2imRows(Geometry g, float[] cols, int colsOff, float[] img, int imgOff, int ld) {
    int row = colsOff;
    for (int ch = 0; ch < g.c; ch++) {
      int plane = imgOff + ch * g.h * g.w;
      for (int i = 0; i < g.kh; i++) {
        for (int j = 0; j < g.kw; j++, row += ld) {
          int x0 = g.xStart(j);
          int x1 = g.xEnd(j);
          int dx = j * g.dw - g.pw;
          for (int y = 0; y < g.oh; y++) {
            int iy = y * g.sh - g.ph + i * g.dh;
            if (iy < 0 || iy >= g.h) {
              continue;
            }
            int at = row + y * g.ow;
            int dst = plane + iy * g.w + dx;
            for (int x = x0; x < x1; x++) {
              img[dst + x * g.sw] += cols[at + x];
            }
          }
        }
      }
    }
  }

  /** col2im for {@link Geometry#spans()}: the padding columns of each row set to −0, then one vector add. */
  static void col2imSpans(Geometry g, float[] cols, int colsOff, float[] img, int imgOff, int ld) {
    int ow = g.ow;
    int row = colsOff;
    for (int ch = 0; ch < g.c; ch++) {
      int plane = imgOff + ch * g.h * g.w;
      for (int i = 0; i < g.kh; i++) {
        int ya = g.yStart(i);
        int yb = g.yEnd(i);
        for (int j = 0; j < g.kw; j++, row += ld) {
          int x0 = g.xStart(j);
          int x1 = g.xEnd(j);
          if (x1 == x0 || yb == ya) {
            continue;
          }
          for (int at = row + ya * ow; at < row + yb * ow; at += ow) {
            for (int x = 0; x < x0; x++) {
              cols[at + x] = -0f;
            }
            for (int x = x1; x < ow; x++) {
              cols[at + x] = -0f;
            }
          }
          int from = row + ya * ow + x0;
          int dst = plane + (ya - g.ph + i * g.dh) * g.w + j * g.dw - g.pw + x0;
          Fused.addTo(img, dst, cols, from, row + (yb - 1) * ow + x1 - from);
        }
      }
    }
  }

  /** {@link #col2im(Geometry, float[], int, float[], int)} in double precision. */
  public static void col2im(Geometry g, double[] cols, int colsOff, double[] img, int imgOff) {
    col2im(g, cols, colsOff, img, imgOff, g.cols());
  }

  /** As {@link #col2im(Geometry, double[], int, double[], int)} with rows {@code ld} apart in {@code cols}. */
  public static void col2im(Geometry g, double[] cols, int colsOff, double[] img, int imgOff, int ld) {
    int row = colsOff;
    for (int ch = 0; ch < g.c; ch++) {
      int plane = imgOff + ch * g.h * g.w;
      for (int i = 0; i < g.kh; i++) {
        for (int j = 0; j < g.kw; j++, row += ld) {
          int x0 = g.xStart(j);
          int x1 = g.xEnd(j);
          int dx = j * g.dw - g.pw;
          for (int y = 0; y < g.oh; y++) {
            int iy = y * g.sh - g.ph + i * g.dh;
            if (iy < 0 || iy >= g.h) {
              continue;
            }
            int at = row + y * g.ow;
            int dst = plane + iy * g.w + dx;
            for (int x = x0; x < x1; x++) {
              img[dst + x * g.sw] += cols[at + x];
            }
          }
        }
      }
    }
  }
}
