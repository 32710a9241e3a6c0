package dev.nabla.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API bodies of {@link MaxPool}'s 2×2 forward and backward; only loaded when the module is present.
 *
 * <p>Rows of pooled planes are short (7 or 14 in a small CNN), shorter than a vector, so both loops run over a
 * group of whole planes as one flat range and reach the elements through gather maps built once per call: the
 * forward gathers each window's four corners, the backward each element's window.
 */
final class VectorMaxPool {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Elements covered by one pair of gather maps: whole planes, about this many. */
    private static final int GROUP = 2048;

    private VectorMaxPool() {}

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

    static void backward2x2(int h, int w, float[] g, int gOff, float[] idx, int idxOff, int planes, float[] dx,
            int dxOff) {
        int oh = h / 2;
        int ow = w / 2;
        int outPlane = oh * ow;
        int plane = h * w;
        int group = Math.max(1, Math.min(planes, GROUP / plane));
        // Each element's window, counted from the group's first plane. An element in no window (an odd last row or
        // column) gets its plane's first window, whose maximum lies in rows and columns 0 and 1, never at it.
        int[] map = new int[group * plane];
        float[] at = new float[map.length]; // each element's position in its plane
        for (int q = 0, i = 0; q < group; q++) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++, i++) {
                    map[i] = q * outPlane + (y / 2 < oh && xx / 2 < ow ? y / 2 * ow + xx / 2 : 0);
                    at[i] = y * w + xx;
                }
            }
        }
        FloatVector zero = FloatVector.zero(S);
        for (int q0 = 0; q0 < planes; q0 += group) {
            int count = Math.min(group, planes - q0) * plane;
            int first = q0 * plane;
            int gBase = gOff + q0 * outPlane;
            int idxBase = idxOff + q0 * outPlane;
            int bound = S.loopBound(count);
            for (int i = 0; i < bound; i += S.length()) {
                FloatVector gi = FloatVector.fromArray(S, g, gBase, map, i);
                FloatVector argmax = FloatVector.fromArray(S, idx, idxBase, map, i);
                VectorMask<Float> hit = argmax.compare(VectorOperators.EQ, FloatVector.fromArray(S, at, i));
                zero.blend(gi, hit).intoArray(dx, dxOff + first + i);
            }
            MaxPool.backward2x2Plain(h, w, g, gOff, idx, idxOff, dx, dxOff, first + bound, first + count);
        }
    }
}
