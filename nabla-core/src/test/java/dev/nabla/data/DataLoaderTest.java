package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batching, seeded shuffling per epoch, drop-last and prefetching. */
class DataLoaderTest {
    @Test
    void anAbandonedPrefetchingEpochStopsItsThread() throws Exception {
        Tensor x = Tensor.zeros(1000, 4);
        Tensor y = Tensor.zeros(1000);
        DataLoader loader = DataLoader.of(x, y).batchSize(2).prefetch(1).build();
        java.util.Set<Thread> before = prefetchThreads();
        java.util.Iterator<DataLoader.Batch> it = loader.epoch(0).iterator();
        it.next();
        java.util.Set<Thread> started = prefetchThreads();
        started.removeAll(before);
        assertEquals(1, started.size(), "one producer thread for the epoch");
        Thread producer = started.iterator().next();
        Thread.sleep(200);
        assertTrue(producer.isAlive(), "the producer waits while its consumer may still come back");
        it = null; // the loop broke out of the epoch
        for (int i = 0; i < 100 && producer.isAlive(); i++) {
            System.gc();
            producer.join(100);
        }
        assertFalse(producer.isAlive(), "the producer of an abandoned epoch ended");
    }

    private static java.util.Set<Thread> prefetchThreads() {
        java.util.Set<Thread> out = new java.util.HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("nabla-prefetch") && t.isAlive()) {
                out.add(t);
            }
        }
        return out;
    }

    private static final Tensor X = Tensor.arange(10).reshape(10, 1).mul(2);
    private static final Tensor Y = Tensor.arange(10);

    private static List<float[]> labels(DataLoader loader, int epoch) {
        List<float[]> out = new ArrayList<>();
        for (DataLoader.Batch b : loader.epoch(epoch)) {
            float[] x = b.x().toFloatArray();
            float[] y = b.y().toFloatArray();
            for (int i = 0; i < y.length; i++) {
                assertEquals(2 * y[i], x[i], "inputs and targets stay paired");
            }
            out.add(y);
        }
        return out;
    }

    @Test
    void batchesInOrderWithPartialLastBatch() {
        DataLoader loader = DataLoader.of(X, Y).batchSize(4).build();
        assertEquals(3, loader.batches());
        List<float[]> b = labels(loader, 0);
        assertArrayEquals(new float[] {0, 1, 2, 3}, b.get(0));
        assertArrayEquals(new float[] {8, 9}, b.get(2));
    }

    @Test
    void dropLastDropsThePartialBatch() {
        DataLoader loader = DataLoader.of(X, Y).batchSize(4).dropLast(true).build();
        assertEquals(2, loader.batches());
        assertEquals(2, labels(loader, 0).size());
    }

    @Test
    void shuffleIsAPermutationFixedBySeedAndEpoch() {
        DataLoader a = DataLoader.of(X, Y).batchSize(3).shuffle(7).build();
        DataLoader b = DataLoader.of(X, Y).batchSize(3).shuffle(7).prefetch(2).build();
        int[] e0 = a.order(0);
        assertArrayEquals(e0, a.order(0));
        assertFalse(Arrays.equals(e0, a.order(1)), "epochs differ");
        int[] sorted = e0.clone();
        Arrays.sort(sorted);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted);
        List<float[]> direct = labels(a, 3);
        List<float[]> prefetched = labels(b, 3);
        for (int i = 0; i < direct.size(); i++) {
            assertArrayEquals(direct.get(i), prefetched.get(i), "prefetching does not change the batches");
        }
    }

    @Test
    void mismatchedCountsAreAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataLoader.of(X, Tensor.zeros(9)).build());
        assertEquals("DataLoader: 10 inputs [10, 1] but 9 targets [9]", e.getMessage());
    }

    @Test
    void failuresInTheBackgroundThreadReachTheConsumer() {
        DataLoader loader = DataLoader.of(X, Y).batchSize(5).prefetch(1).transform(b -> {
            throw new IllegalArgumentException("bad augmentation");
        }).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> labels(loader, 0));
        assertEquals("DataLoader: assembling batch 0 failed: bad augmentation", e.getMessage());
    }
}
