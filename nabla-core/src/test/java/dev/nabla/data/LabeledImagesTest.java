package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LabeledImagesTest {

    /** {@code n} images of 1×2 whose pixels are {@code (10·i, 10·i + 1)} and whose label is {@code i}. */
    private static LabeledImages numbered(int n) {
        byte[] pixels = new byte[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            pixels[2 * i] = (byte) (10 * i);
            pixels[2 * i + 1] = (byte) (10 * i + 1);
            labels[i] = i;
        }
        return new LabeledImages(pixels, labels, n, 1, 2);
    }

    @Test
    void constructorChecksLengths() {
        assertEquals("LabeledImages: 2 images of 2×2 need 8 pixels but pixels.length is 7",
                assertThrows(IllegalArgumentException.class,
                        () -> new LabeledImages(new byte[7], new int[2], 2, 2, 2)).getMessage());
        assertEquals("LabeledImages: 2 images but labels.length is 3",
                assertThrows(IllegalArgumentException.class,
                        () -> new LabeledImages(new byte[8], new int[3], 2, 2, 2)).getMessage());
        assertEquals("LabeledImages: count 1, rows 0, cols 2: count must be >= 0 and rows, cols > 0",
                assertThrows(IllegalArgumentException.class,
                        () -> new LabeledImages(new byte[0], new int[1], 1, 0, 2)).getMessage());
        assertThrows(NullPointerException.class, () -> new LabeledImages(null, new int[0], 0, 1, 1));
    }

    @Test
    void pixelsAsFloatsScalesUnsignedBytesToUnitRange() {
        LabeledImages one = new LabeledImages(new byte[] {0, (byte) 255, (byte) 128, 51}, new int[] {3}, 1, 2, 2);
        assertArrayEquals(new float[] {0f, 1f, 128 / 255f, 0.2f}, one.pixelsAsFloats(), 1e-7f);
    }

    @Test
    void subsetAndSelectCopyTheRightImages() {
        LabeledImages five = numbered(5);
        LabeledImages mid = five.subset(1, 3);
        assertArrayEquals(new int[] {1, 2}, mid.labels());
        assertArrayEquals(new byte[] {10, 11, 20, 21}, mid.pixels());
        LabeledImages picked = five.select(new int[] {4, 0, 4});
        assertArrayEquals(new int[] {4, 0, 4}, picked.labels());
        assertArrayEquals(new byte[] {40, 41, 0, 1, 40, 41}, picked.pixels());
        assertEquals("LabeledImages.subset: range [3, 6) is not within [0, 5]",
                assertThrows(IndexOutOfBoundsException.class, () -> five.subset(3, 6)).getMessage());
        assertEquals("LabeledImages.select: indices[1] is 5, outside [0, 5)",
                assertThrows(IndexOutOfBoundsException.class, () -> five.select(new int[] {0, 5})).getMessage());
    }

    @Test
    void unshuffledSplitTakesTheLastFractionForValidation() {
        Split split = numbered(8).split(0.25);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, split.train().labels());
        assertArrayEquals(new int[] {6, 7}, split.test().labels());
        assertArrayEquals(new byte[] {60, 61, 70, 71}, split.test().pixels());
        // 10 × 0.25 = 2.5 rounds to 3 validation images
        assertEquals(3, numbered(10).split(0.25).test().count());
        assertEquals(0, numbered(4).split(0).test().count());
        assertEquals(4, numbered(4).split(1).test().count());
        assertEquals("LabeledImages.split: validationFraction is 1.5; it must be in [0, 1]",
                assertThrows(IllegalArgumentException.class, () -> numbered(4).split(1.5)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> numbered(4).split(Double.NaN, 1L));
    }

    @Test
    void seededSplitIsADeterministicPartition() {
        LabeledImages twenty = numbered(20);
        Split a = twenty.split(0.3, 42L);
        Split b = twenty.split(0.3, 42L);
        assertEquals(14, a.train().count());
        assertEquals(6, a.test().count());
        assertArrayEquals(a.train().labels(), b.train().labels());
        assertArrayEquals(a.test().labels(), b.test().labels());

        int[] all = new int[20];
        System.arraycopy(a.train().labels(), 0, all, 0, 14);
        System.arraycopy(a.test().labels(), 0, all, 14, 6);
        int[] sorted = all.clone();
        Arrays.sort(sorted);
        int[] identity = new int[20];
        Arrays.setAll(identity, i -> i);
        assertArrayEquals(identity, sorted, "every image lands in exactly one part");
        assertFalse(Arrays.equals(identity, all), "the order is shuffled");
        // each image keeps its own pixels: image with label i has pixels 10i, 10i+1
        for (int k = 0; k < 6; k++) {
            int label = a.test().labels()[k];
            assertEquals((byte) (10 * label), a.test().pixels()[2 * k]);
        }
        assertFalse(Arrays.equals(all, concat(twenty.split(0.3, 43L))), "another seed, another order");
    }

    private static int[] concat(Split s) {
        int[] out = Arrays.copyOf(s.train().labels(), s.train().count() + s.test().count());
        System.arraycopy(s.test().labels(), 0, out, s.train().count(), s.test().count());
        return out;
    }

    @Test
    void oneHotIsRowMajor() {
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 1, 0},
                LabeledImages.oneHot(new int[] {2, 0, 1}, 3));
        assertArrayEquals(new float[0], LabeledImages.oneHot(new int[0], 10));
    }

    @Test
    void oneHotNamesTheLabelOutOfRange() {
        assertEquals("oneHot: labels[1] is 3, outside [0, 3) for numClasses 3",
                assertThrows(IllegalArgumentException.class,
                        () -> LabeledImages.oneHot(new int[] {0, 3}, 3)).getMessage());
        assertEquals("oneHot: labels[0] is -1, outside [0, 10) for numClasses 10",
                assertThrows(IllegalArgumentException.class,
                        () -> LabeledImages.oneHot(new int[] {-1}, 10)).getMessage());
        assertEquals("oneHot: numClasses is 0; it must be >= 1",
                assertThrows(IllegalArgumentException.class,
                        () -> LabeledImages.oneHot(new int[] {0}, 0)).getMessage());
    }

    @Test
    void splitRecordRejectsMismatchedImageSizes() {
        LabeledImages a = new LabeledImages(new byte[4], new int[1], 1, 2, 2);
        LabeledImages b = new LabeledImages(new byte[6], new int[1], 1, 2, 3);
        assertEquals("Split (x): train images are 2×2 but test images are 2×3",
                assertThrows(IllegalArgumentException.class, () -> new Split(a, b, "x")).getMessage());
    }
}
