package dev.nabla.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API body of {@link MaxPool}'s 2×2 forward; only loaded when the module is present.
 *
 * <p>Rows of pooled planes are short (7 or 14 in a small CNN), shorter than a vector, so the loop runs over a group
 * of whole planes as one flat range and gathers each window's four corners through maps built once per call.
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
}
