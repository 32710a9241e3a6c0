package dev.nabla.testing;

/** Raw bit patterns of floats, for assertions that two computations agree to the bit (NaN payloads and -0 included). */
public final class FloatBits {
    private FloatBits() {}

    /** {@code Float.floatToRawIntBits} of each element. */
    public static int[] of(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Float.floatToRawIntBits(a[i]);
        }
        return b;
    }
}
