package dev.nabla.data;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.function.UnaryOperator;

/**
 * Seeded data augmentation of image batches {@code [N, ..., H, W]}, for {@link DataLoader.Builder#transform}: small
 * rotation, horizontal flip, random crop with zero padding, and random translation, each off unless asked for.
 *
 * <p>Every sample draws its own transformation (the same for all its channels) from a generator seeded by
 * (seed, epoch, batch index), so a batch is augmented the same way whatever thread assembles it, and a resumed run
 * sees the images an uninterrupted one saw. Pixels moved in from outside the image are 0; labels are untouched.
 * Steps apply in the order rotation, flip, crop, translation.
 *
 * <pre>{@code FitOptions.epochs(10).transform(Augment.translate(2).seed(42))}</pre>
 */
public final class Augment implements UnaryOperator<DataLoader.Batch> {
    private final long seed;
    private final int shift;
    private final int cropPadding;
    private final boolean flip;
    private final double degrees;
    private final boolean bilinear;

    private Augment(long seed, int shift, int cropPadding, boolean flip, double degrees, boolean bilinear) {
        if (shift < 0 || cropPadding < 0 || !(degrees >= 0 && degrees <= 180)) {
            throw new IllegalArgumentException("Augment: translation " + shift + " and crop padding " + cropPadding
                    + " must be >= 0, rotation " + degrees + " in [0, 180] degrees");
        }
        this.seed = seed;
        this.shift = shift;
        this.cropPadding = cropPadding;
        this.flip = flip;
        this.degrees = degrees;
        this.bilinear = bilinear;
    }

    /** No augmentation (seed 0); add steps with the methods below. */
    public static Augment none() {
        return new Augment(0, 0, 0, false, 0, false);
    }

    /** Random translation by up to ±{@code pixels} in each direction, uniformly, zero fill. */
    public static Augment translate(int pixels) {
        return none().withTranslation(pixels);
    }

    /** The same steps with another seed. */
    public Augment seed(long newSeed) {
        return new Augment(newSeed, shift, cropPadding, flip, degrees, bilinear);
    }

    /** Adds a random translation by up to ±{@code pixels} (0 = none). */
    public Augment withTranslation(int pixels) {
        return new Augment(seed, pixels, cropPadding, flip, degrees, bilinear);
    }

    /**
     * Adds a random crop of the original size from the image padded by {@code padding} zeros on each side (as
     * torchvision's {@code RandomCrop(size, padding)}); the crop offset is uniform in [0, 2·padding].
     */
    public Augment withCrop(int padding) {
        return new Augment(seed, shift, padding, flip, degrees, bilinear);
    }

    /** Adds a horizontal flip with probability 1/2 (off by default: it changes the meaning of digits). */
    public Augment withHorizontalFlip() {
        return new Augment(seed, shift, cropPadding, true, degrees, bilinear);
    }

    /** Adds a rotation about the image centre by an angle uniform in ±{@code maxDegrees}, nearest-neighbour. */
    public Augment withRotation(double maxDegrees) {
        return new Augment(seed, shift, cropPadding, flip, maxDegrees, false);
    }

    /** As {@link #withRotation} with bilinear interpolation. */
    public Augment withBilinearRotation(double maxDegrees) {
        return new Augment(seed, shift, cropPadding, flip, maxDegrees, true);
    }

    @Override
    public DataLoader.Batch apply(DataLoader.Batch batch) {
        Tensor x = batch.x();
        int[] shape = x.shape();
        if (x.dim() < 3) {
            throw new IllegalArgumentException("Augment: inputs " + Shapes.str(shape)
                    + " must be images [N, H, W] or [N, C, H, W]");
        }
        int h = shape[shape.length - 2];
        int w = shape[shape.length - 1];
        int n = shape[0];
        int planes = n == 0 ? 0 : x.numel() / (n * h * w);
        float[] src = x.toFloatArray();
        float[] dst = new float[src.length];
        float[] tmp = new float[h * w];
        Generator g = new Generator(mix(seed, batch.epoch(), batch.index()));
        for (int s = 0; s < n; s++) {
            double angle = degrees > 0 ? Math.toRadians((2 * g.nextDouble() - 1) * degrees) : 0;
            boolean mirror = flip && g.nextInt(2) == 1;
            int dy = 0;
            int dx = 0;
            if (cropPadding > 0) {
                dy += cropPadding - g.nextInt(2 * cropPadding + 1);
                dx += cropPadding - g.nextInt(2 * cropPadding + 1);
            }
            if (shift > 0) {
                dy += g.nextInt(2 * shift + 1) - shift;
                dx += g.nextInt(2 * shift + 1) - shift;
            }
            for (int c = 0; c < planes; c++) {
                int off = (s * planes + c) * h * w;
                if (angle != 0) {
                    rotate(src, off, tmp, h, w, angle, bilinear);
                    System.arraycopy(tmp, 0, src, off, h * w);
                }
                shiftPlane(src, off, dst, off, h, w, dy, dx, mirror);
            }
        }
        return new DataLoader.Batch(Tensor.wrap(dst, shape), batch.y(), batch.index(), batch.epoch());
    }

    /** A generator seed for one batch, distinct for every (seed, epoch, index). */
    private static long mix(long seed, int epoch, int index) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * {@code out[y][x] = in[y − dy][x' − dx]} with {@code x' = w − 1 − x} when mirrored (the flip comes first), 0
     * where the source falls outside.
     */
    static void shiftPlane(float[] in, int inOff, float[] out, int outOff, int h, int w, int dy, int dx,
            boolean mirror) {
        for (int y = 0; y < h; y++) {
            int sy = y - dy;
            int row = outOff + y * w;
            if (sy < 0 || sy >= h) {
                java.util.Arrays.fill(out, row, row + w, 0f);
                continue;
            }
            for (int x = 0; x < w; x++) {
                int sx = x - dx;
                boolean inside = sx >= 0 && sx < w;
                out[row + x] = inside ? in[inOff + sy * w + (mirror ? w - 1 - sx : sx)] : 0f;
            }
        }
    }

    /** Rotates a plane by {@code angle} radians about its centre into {@code out}, zero outside the source. */
    static void rotate(float[] in, int off, float[] out, int h, int w, double angle, boolean bilinear) {
        double cy = (h - 1) / 2.0;
        double cx = (w - 1) / 2.0;
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // the source of (y, x) under the inverse rotation
                double sy = cos * (y - cy) - sin * (x - cx) + cy;
                double sx = sin * (y - cy) + cos * (x - cx) + cx;
                out[y * w + x] = bilinear ? bilinear(in, off, h, w, sy, sx)
                        : pixel(in, off, h, w, (int) Math.round(sy), (int) Math.round(sx));
            }
        }
    }

    private static float bilinear(float[] in, int off, int h, int w, double sy, double sx) {
        int y0 = (int) Math.floor(sy);
        int x0 = (int) Math.floor(sx);
        double fy = sy - y0;
        double fx = sx - x0;
        double top = (1 - fx) * pixel(in, off, h, w, y0, x0) + fx * pixel(in, off, h, w, y0, x0 + 1);
        double bottom = (1 - fx) * pixel(in, off, h, w, y0 + 1, x0) + fx * pixel(in, off, h, w, y0 + 1, x0 + 1);
        return (float) ((1 - fy) * top + fy * bottom);
    }

    private static float pixel(float[] in, int off, int h, int w, int y, int x) {
        return y >= 0 && y < h && x >= 0 && x < w ? in[off + y * w + x] : 0f;
    }

    @Override
    public String toString() {
        return "Augment[seed " + seed + ", translation ±" + shift + ", crop padding " + cropPadding + ", flip " + flip
                + ", rotation ±" + degrees + "°" + (bilinear ? " bilinear" : "") + "]";
    }
}
