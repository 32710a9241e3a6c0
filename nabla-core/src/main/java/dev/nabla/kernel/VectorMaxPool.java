package dev.nabla.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API bodies of {@link MaxPool}'s 2×2 forward and gradient planes; only loaded when the module is present.
 *
 * <p>Rows of pooled planes are short (7 or 14 in a small CNN), shorter than a vector, so the loop runs over a group
 * of whole planes as one flat range and gathers each window's four corners through maps built once per call.
 */
final class VectorMaxPool {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Elements covered by one pair of gather maps: whole planes, about this many. */
    private static final int GROUP = 2048;

    /** Lane i takes lane i/2: each pooled value of a row, twice, for the two columns of its window. */
    private static final VectorShuffle<Float> TWICE = VectorShuffle.fromOp(S, i -> i / 2);

    /** 0, 1, 2, …: each lane's offset in a vector. */
    private static final float[] IOTA = new float[S.length()];

    static {
        for (int i = 0; i < IOTA.length; i++) {
            IOTA[i] = i;
        }
    }

    /** Per thread: where {@link #gradientPlanes2x2} builds the last planes. */
    private static final ThreadLocal<float[]> REST = ThreadLocal.withInitial(() -> new float[0]);

    private VectorMaxPool() {}

    static int length() {
        return S.length();
    }

    static void forward2x2(int h, int w, float[] x, int xOff, int planes, float[] out, float[] idx, int outOff) {
        int ow = w / 2;
        int outPlane = (h / 2) * ow;
        int plane = h * w;
        int group = Math.max(1, Math.min(planes, GROUP / outPlane));
        int[] map = new int[group * outPlane]; // each window's first element, counted from the group's first plane
        float[] at = new float[map.length]; // the same, counted from its own plane
        for (int q = 0, i = 0; q < group; q++) {
            for (int y = 0; y < h / 2; y++) {
                for (int xx = 0; xx < ow; xx++, i++) {
                    at[i] = 2 * y * w + 2 * xx;
                    map[i] = q * plane + 2 * y * w + 2 * xx;
                }
            }
        }
        FloatVector zero = FloatVector.zero(S);
        FloatVector right = FloatVector.broadcast(S, 1f);
        FloatVector down = FloatVector.broadcast(S, w);
        FloatVector downRight = FloatVector.broadcast(S, w + 1);
        for (int q0 = 0; q0 < planes; q0 += group) {
            int count = Math.min(group, planes - q0) * outPlane;
            int base = xOff + q0 * plane;
            int first = q0 * outPlane;
            int bound = S.loopBound(count);
            for (int i = 0; i < bound; i += S.length()) {
                FloatVector a0 = FloatVector.fromArray(S, x, base, map, i);
                FloatVector a1 = FloatVector.fromArray(S, x, base + 1, map, i);
                FloatVector a2 = FloatVector.fromArray(S, x, base + w, map, i);
                FloatVector a3 = FloatVector.fromArray(S, x, base + w + 1, map, i);
                FloatVector sum = a0.add(a1).add(a2).add(a3);
                if (sum.compare(VectorOperators.NE, sum).anyTrue()) { // a NaN (or infinities of both signs)
                    MaxPool.forward2x2Plain(h, w, x, xOff, out, idx, outOff, first + i, first + i + S.length());
                    continue;
                }
                VectorMask<Float> topRight = a1.compare(VectorOperators.GT, a0);
                VectorMask<Float> bottomRight = a3.compare(VectorOperators.GT, a2);
                FloatVector top = a0.blend(a1, topRight);
                FloatVector bottom = a2.blend(a3, bottomRight);
                VectorMask<Float> lower = bottom.compare(VectorOperators.GT, top);
                top.blend(bottom, lower).intoArray(out, outOff + first + i);
                FloatVector shift = zero.blend(right, topRight).blend(down.blend(downRight, bottomRight), lower);
                FloatVector.fromArray(S, at, i).add(shift).intoArray(idx, outOff + first + i);
            }
            MaxPool.forward2x2Plain(h, w, x, xOff, out, idx, outOff, first + bound, first + count);
        }
    }

    /**
     * {@link MaxPool#gradientPlanes} for 2×2 windows with stride 2: for each row of windows, whole vectors of its two
     * plane rows compare their positions with the windows' argmax positions (each pooled value and position taken
     * twice by a shuffle) instead of scattering. Lanes past the windows' last column compare with position −2³⁰,
     * never an argmax, and so get +0. A vector may run past a row's end, into the start of the rows below (or of the
     * next plane): the vectors of a window row go right to left, its upper row before its lower one, and planes in
     * order, so each row's start is written after what ran into it. Without {@code room}, the last planes, whose
     * vectors could run past the batch, are built in a small array and copied. In {@code column} the lanes that run
     * past add +0, which leaves a sum as it is (it is never −0). {@code g}, {@code idx} and {@code mask} must have a
     * vector's length of elements past the last pooled plane.
     */
    static void gradientPlanes2x2(int h, int w, int count, float[] g, int gAt, float[] idx, int idxAt, float[] mask,
            int maskAt, float[] out, int outOff, float[] column, int colOff, boolean room) {
        int ow = w / 2;
        int oh = h / 2;
        int plane = h * w;
        int outPlane = oh * ow;
        int length = S.length();
        int vectors = (w + length - 1) / length;
        // without room, the last planes (those a vector of theirs could run past the batch from) are built in a
        // small array and copied
        int copied = room ? 0 : Math.min(count, 1 + (vectors * length + plane - 1) / plane);
        int first = count - copied;
        float[] rest = null;
        if (copied > 0) {
            rest = REST.get();
            if (rest.length < copied * plane + vectors * length + w) {
                rest = new float[copied * plane + vectors * length + w];
                REST.set(rest);
            }
            java.util.Arrays.fill(rest, 0, copied * plane, 0f); // an odd height's last row stays +0
        }
        FloatVector zero = FloatVector.zero(S);
        FloatVector iota = FloatVector.fromArray(S, IOTA, 0);
        FloatVector never = FloatVector.broadcast(S, -0x1p30f);
        for (int q = 0; q < count; q++) {
            int pooled = q * outPlane;
            float[] to = q < first ? out : rest;
            int at = q < first ? outOff + q * plane : (q - first) * plane;
            for (int py = 0; py < oh; py++) {
                int top = 2 * py * w;
                int toAt = at + top;
                for (int v = vectors - 1; v >= 0; v--) { // right to left, so a row's start overwrites what ran past
                    int x0 = v * length;
                    int from = pooled + py * ow + x0 / 2;
                    FloatVector where = FloatVector.fromArray(S, idx, idxAt + from).rearrange(TWICE);
                    // + 0 as the scatter's sum starting at +0 gives it: -0 becomes +0
                    FloatVector value = FloatVector.fromArray(S, g, gAt + from).rearrange(TWICE).add(zero);
                    // x, or −2³⁰ past the windows' last column
                    FloatVector x = iota.add(x0).blend(never, iota.compare(VectorOperators.GE, 2 * ow - x0));
                    // each branch stores its own results: a vector merged from two branches is boxed (ARCHITECTURE)
                    if (mask == null) {
                        pair(value, where, x, top, w, to, toAt + x0, column, colOff + top + x0);
                    } else {
                        FloatVector kept = zero.blend(value, FloatVector.fromArray(S, mask, maskAt + from)
                                .rearrange(TWICE).compare(VectorOperators.GT, 0f));
                        pair(kept, where, x, top, w, to, toAt + x0, column, colOff + top + x0);
                    }
                }
            }
            if (2 * oh < h && q < first) { // an odd height's last row, under no window
                for (int j = 2 * oh * w; j < plane; j += length) {
                    zero.intoArray(out, at + j);
                }
            }
        }
        if (copied > 0) {
            System.arraycopy(rest, 0, out, outOff + first * plane, copied * plane);
        }
    }

    /** The two plane rows of one window row: {@code value} where {@code at} is the lane's position, else +0. */
    private static void pair(FloatVector value, FloatVector at, FloatVector x, int top, int w, float[] out, int outAt,
            float[] column, int colAt) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector upper = zero.blend(value, at.compare(VectorOperators.EQ, x.add(top)));
        FloatVector lower = zero.blend(value, at.compare(VectorOperators.EQ, x.add(top + w)));
        store(upper, out, outAt, column, colAt);
        store(lower, out, outAt + w, column, colAt + w);
    }

    private static void store(FloatVector v, float[] out, int outAt, float[] column, int colAt) {
        v.intoArray(out, outAt);
        if (column != null) {
            FloatVector.fromArray(S, column, colAt).add(v).intoArray(column, colAt);
        }
    }

    /** Whether {@code a[from..from + count)} holds a NaN or an infinity. */
    static boolean hasNonFinite(float[] a, int from, int count) {
        int bound = S.loopBound(count);
        FloatVector any = FloatVector.zero(S);
        for (int j = 0; j < bound; j += S.length()) {
            any = any.add(FloatVector.fromArray(S, a, from + j).mul(0f)); // x·0 is NaN for NaN and ±∞ only
        }
        boolean found = any.compare(VectorOperators.NE, any).anyTrue();
        for (int j = bound; j < count && !found; j++) {
            found = a[from + j] * 0f != 0f;
        }
        return found;
    }
}
