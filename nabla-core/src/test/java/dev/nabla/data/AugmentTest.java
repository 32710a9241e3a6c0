package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Augmentation: exact shifts on a hand-made image, determinism per (seed, epoch, batch), labels untouched. */
class AugmentTest {
    /** A 4×5 image with pixel value 1 + 10·row + column, so every pixel says where it came from. */
    private static float[] image() {
        float[] x = new float[20];
        for (int y = 0; y < 4; y++) {
            for (int c = 0; c < 5; c++) {
                x[y * 5 + c] = 1 + 10 * y + c;
            }
        }
        return x;
    }

    @Test
    void shiftsAreExactWithZeroFill() {
        float[] out = new float[20];
        Augment.shiftPlane(image(), 0, out, 0, 4, 5, 1, -2, false);
        float[] expected = {
            0, 0, 0, 0, 0,
            3, 4, 5, 0, 0,
            13, 14, 15, 0, 0,
            23, 24, 25, 0, 0};
        assertArrayEquals(expected, out);
        Augment.shiftPlane(image(), 0, out, 0, 4, 5, 0, 0, true);
        assertArrayEquals(new float[] {5, 4, 3, 2, 1, 15, 14, 13, 12, 11, 25, 24, 23, 22, 21, 35, 34, 33, 32, 31},
                out);
    }

    @Test
    void everyTranslatedSampleIsTheImageShiftedByAtMostK() {
        int n = 64;
        float[] xs = new float[n * 20];
        for (int s = 0; s < n; s++) {
            System.arraycopy(image(), 0, xs, s * 20, 20);
        }
        float[] labels = new float[n];
        for (int s = 0; s < n; s++) {
            labels[s] = s % 10;
        }
        Tensor y = Tensor.fromArray(labels, n);
        DataLoader.Batch batch = new DataLoader.Batch(Tensor.fromArray(xs, n, 1, 4, 5), y, 3, 7);
        DataLoader.Batch out = Augment.translate(1).seed(9).apply(batch);
        assertSame(y, out.y(), "labels are the batch's own");
        assertEquals(3, out.index());
        assertEquals(7, out.epoch());
        assertArrayEquals(new int[] {n, 1, 4, 5}, out.x().shape());
        float[] got = out.x().toFloatArray();
        List<String> seen = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            float[] sample = java.util.Arrays.copyOfRange(got, s * 20, s * 20 + 20);
            String match = null;
            for (int dy = -1; dy <= 1 && match == null; dy++) {
                for (int dx = -1; dx <= 1 && match == null; dx++) {
                    float[] shifted = new float[20];
                    Augment.shiftPlane(image(), 0, shifted, 0, 4, 5, dy, dx, false);
                    if (java.util.Arrays.equals(shifted, sample)) {
                        match = dy + "," + dx;
                    }
                }
            }
            assertTrue(match != null, "sample " + s + " is not a shift by at most 1: "
                    + java.util.Arrays.toString(sample));
            if (!seen.contains(match)) {
                seen.add(match);
            }
        }
        assertEquals(9, seen.size(), "all 9 shifts occur among 64 samples: " + seen);
        assertArrayEquals(labels, out.y().toFloatArray());
    }

    @Test
    void deterministicForSeedEpochAndBatch() {
        Tensor x = Tensor.rand(new dev.nabla.tensor.Generator(1), 8, 1, 28, 28);
        Tensor y = Tensor.zeros(8);
        Augment a = Augment.translate(2).withRotation(10).withCrop(2).withHorizontalFlip().seed(5);
        float[] first = a.apply(new DataLoader.Batch(x, y, 2, 1)).x().toFloatArray();
        float[] again = a.apply(new DataLoader.Batch(x, y, 2, 1)).x().toFloatArray();
        assertArrayEquals(first, again);
        assertFalse(java.util.Arrays.equals(first, a.apply(new DataLoader.Batch(x, y, 3, 1)).x().toFloatArray()));
        assertFalse(java.util.Arrays.equals(first, a.apply(new DataLoader.Batch(x, y, 2, 2)).x().toFloatArray()));
        assertFalse(java.util.Arrays.equals(first, a.seed(6).apply(new DataLoader.Batch(x, y, 2, 1)).x()
                .toFloatArray()));
        assertArrayEquals(x.toFloatArray(), Augment.none().apply(new DataLoader.Batch(x, y, 0, 0)).x().toFloatArray());
    }

    @Test
    void loaderAppliesItOnItsBackgroundThreadWithTheEpoch() {
        Tensor x = Tensor.rand(new dev.nabla.tensor.Generator(2), 10, 6, 6);
        Tensor y = Tensor.zeros(10);
        Augment a = Augment.translate(2).seed(1);
        DataLoader direct = DataLoader.of(x, y).batchSize(4).shuffle(3).transform(a).build();
        DataLoader prefetching = DataLoader.of(x, y).batchSize(4).shuffle(3).prefetch(2).transform(a).build();
        List<DataLoader.Batch> d = new ArrayList<>();
        direct.epoch(4).forEach(d::add);
        int i = 0;
        for (DataLoader.Batch b : prefetching.epoch(4)) {
            assertEquals(4, b.epoch());
            assertArrayEquals(d.get(i++).x().toFloatArray(), b.x().toFloatArray());
        }
        assertEquals(3, i);
    }

    @Test
    void rotationByZeroDegreesIsTheIdentityAndBadSettingsAreRefused() {
        float[] out = new float[20];
        Augment.rotate(image(), 0, out, 4, 5, 0, false);
        assertArrayEquals(image(), out);
        Augment.rotate(image(), 0, out, 4, 5, 0, true);
        assertArrayEquals(image(), out);
        assertThrows(IllegalArgumentException.class, () -> Augment.translate(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Augment.translate(1).apply(new DataLoader.Batch(Tensor.zeros(4, 3), Tensor.zeros(4), 0)));
        assertTrue(e.getMessage().contains("[4, 3]"), e.getMessage());
    }
}
