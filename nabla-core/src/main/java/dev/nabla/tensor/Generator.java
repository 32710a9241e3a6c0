package dev.nabla.tensor;

/**
 * A seeded source of random numbers; every random tensor takes one explicitly, so there is no global RNG state.
 *
 * <p>The algorithm is SplitMix64 (one 64-bit state word), and normals come from the Box–Muller transform. The
 * whole state is {@link #state()}, so a checkpoint can save it and {@link #setState(long[])} restore it exactly.
 */
public final class Generator {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;
    private double spareNormal;
    private boolean hasSpare;

    /** A generator whose sequence is fixed by {@code seed}. */
    public Generator(long seed) {
        this.state = seed;
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long z = (state += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("nextInt: bound must be positive, got " + bound);
        }
        long limit = (1L << 32) - ((1L << 32) % bound);
        long r;
        do {
            r = nextLong() >>> 32;
        } while (r >= limit);
        return (int) (r % bound);
    }

    /** Standard normal N(0, 1). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareNormal;
        }
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 == 0.0);
        double u2 = nextDouble();
        double radius = Math.sqrt(-2.0 * Math.log(u1));
        spareNormal = radius * Math.sin(2.0 * Math.PI * u2);
        hasSpare = true;
        return radius * Math.cos(2.0 * Math.PI * u2);
    }

    /** Shuffles {@code values} in place (Fisher–Yates). */
    public void shuffle(int[] values) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    /** The complete state, for checkpoints: {seed word, has spare normal (0/1), spare normal's bits}. */
    public long[] state() {
        return new long[] {state, hasSpare ? 1 : 0, Double.doubleToRawLongBits(spareNormal)};
    }

    /** Restores a state returned by {@link #state()}. */
    public void setState(long[] saved) {
        if (saved == null || saved.length != 3) {
            throw new IllegalArgumentException("Generator.setState: expected 3 words, got "
                    + (saved == null ? "null" : saved.length));
        }
        state = saved[0];
        hasSpare = saved[1] != 0;
        spareNormal = Double.longBitsToDouble(saved[2]);
    }
}
