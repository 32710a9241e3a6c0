package dev.nabla.kernel;

/**
 * e^x, e^x − 1, the logistic sigmoid and tanh in float32, from one Cody–Waite range reduction and Cephes' expf
 * polynomial, using only operations whose results IEEE 754 fixes (fused multiply-add included): the Vector API
 * passes in {@code VectorMath} perform the same operations in the same order and give bit-identical results.
 * Within 1.5 ulp (exp, expm1), 3 ulp (sigmoid) and 2.5 ulp (tanh) of the float64 functions; tests hold them to it.
 *
 * <p>Used where inputs are bounded or saturation is harmless: the fused LSTM/GRU cells and softmax's shifted exp.
 * The element-wise tensor ops use {@link Fused#exp}, which shares these constants but runs to 0 and ∞ at the ends
 * of the range as IEEE exp does.
 */
public final class FastMath {
    private FastMath() {}

    /** Inputs beyond these exp bounds saturate (e^88.3 ≈ 2.2·10³⁸, e^−87.3 ≈ 1.2·10⁻³⁸). */
    static final float EXP_HI = 88.3f;
    static final float EXP_LO = -87.3f;
    static final float LOG2E = 1.44269504088896341f;
    /** 1.5·2²³: adding it rounds a float of magnitude below 2²² to an integer held in the low mantissa bits. */
    static final float ROUND = 12582912f;
    static final int ROUND_BITS = 0x4B400000;
    /** ln 2 split in two (Cody and Waite), so that r = x − n·ln 2 loses no bits. */
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** Cephes' expf polynomial for e^r on |r| ≤ ln 2 / 2. */
    static final float E0 = 1.9875691500e-4f;
    static final float E1 = 1.3981999507e-3f;
    static final float E2 = 8.3334519073e-3f;
    static final float E3 = 4.1665795894e-2f;
    static final float E4 = 1.6666665459e-1f;
    static final float E5 = 5.0000001201e-1f;
    /** tanh takes 2x clamped to ±TANH_CLAMP: beyond, tanh rounds to ±1 in float32. */
    static final float TANH_CLAMP = 18f;

    /** e^x in float32 within 1.5 ulp on [−87.3, 88.3], saturating outside it; NaN stays NaN. */
    public static float exp(float x) {
        x = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(x, LOG2E, ROUND);
        float n = t - ROUND;
        int k = Float.floatToRawIntBits(t) - ROUND_BITS;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(E0, r, E1);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E5);
        float y = Math.fma(p, r * r, r) + 1f;
        return y * Float.intBitsToFloat((k + 127) << 23);
    }

    /**
     * e^x − 1 in float32 within 1.5 ulp on [−18, 18] (all tanh needs): 2^k·(e^r − 1) + (2^k − 1) with r reduced as
     * in {@link #exp}, so no precision is lost near 0.
     */
    static float expm1(float x) {
        float t = Math.fma(x, LOG2E, ROUND);
        float n = t - ROUND;
        int k = Float.floatToRawIntBits(t) - ROUND_BITS;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(E0, r, E1);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E5);
        float scale = Float.intBitsToFloat((k + 127) << 23);
        return Math.fma(scale, Math.fma(p, r * r, r), scale - 1f);
    }

    /** 1 / (1 + e^−x) in float32, within 3 ulp where the result is at least 10⁻³⁷. */
    public static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }

    /**
     * tanh x in float32, within 2.5 ulp: (e^{2x} − 1) / (e^{2x} + 1), with e^{2x} − 1 from {@link #expm1} so that
     * small x keep their precision, and no branch (tanh(−0) is +0).
     */
    public static float tanh(float x) {
        float e = expm1(Math.min(Math.max(2f * x, -TANH_CLAMP), TANH_CLAMP));
        return e / (e + 2f);
    }
}
