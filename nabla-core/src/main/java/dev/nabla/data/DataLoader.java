package dev.nabla.data;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.UnaryOperator;

/**
 * Cuts paired inputs and targets into mini-batches, in a seeded random order per epoch, optionally assembling the
 * next batches on a background thread while the current one trains.
 *
 * <p>The order of epoch e depends only on (seed, e), so a run resumed at epoch e sees the same batches as an
 * uninterrupted one. Inputs and targets are float32 tensors whose first dimension is the sample.
 */
public final class DataLoader {
    /** One mini-batch: inputs, targets, its position within the epoch, and the epoch. */
    public record Batch(Tensor x, Tensor y, int index, int epoch) {
        /** A batch of epoch 0. */
        public Batch(Tensor x, Tensor y, int index) {
            this(x, y, index, 0);
        }
    }

    private final float[] xs;
    private final float[] ys;
    private final int[] xShape;
    private final int[] yShape;
    private final int count;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final int prefetch;
    private final UnaryOperator<Batch> transform;

    private DataLoader(Builder b) {
        if (b.x.dim() == 0 || b.y.dim() == 0) {
            throw new IllegalArgumentException("DataLoader: inputs " + Shapes.str(b.x.shape()) + " and targets "
                    + Shapes.str(b.y.shape()) + " need a sample dimension");
        }
        if (b.x.size(0) != b.y.size(0)) {
            throw new IllegalArgumentException("DataLoader: " + b.x.size(0) + " inputs " + Shapes.str(b.x.shape())
                    + " but " + b.y.size(0) + " targets " + Shapes.str(b.y.shape()));
        }
        if (b.batchSize <= 0) {
            throw new IllegalArgumentException("DataLoader: batch size must be positive, got " + b.batchSize);
        }
        this.xs = rowMajor(b.x);
        this.ys = rowMajor(b.y);
        this.xShape = b.x.shape();
        this.yShape = b.y.shape();
        this.count = xShape[0];
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.prefetch = b.prefetch;
        this.transform = b.transform;
    }

    /** The values in row-major order: the tensor's own array when it has one (no copy of a large dataset). */
    private static float[] rowMajor(Tensor t) {
        return t.dtype() == dev.nabla.tensor.DType.FLOAT32 && t.ownsStorage() ? t.floatData() : t.toFloatArray();
    }

    /** Starts a loader over inputs {@code x} and targets {@code y}. */
    public static Builder of(Tensor x, Tensor y) {
        return new Builder(x, y);
    }

    /** Settings of a {@link DataLoader}; defaults: batch 32, no shuffle, keep the last partial batch, no prefetch. */
    public static final class Builder {
        private final Tensor x;
        private final Tensor y;
        private int batchSize = 32;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private int prefetch;
        private UnaryOperator<Batch> transform;

        private Builder(Tensor x, Tensor y) {
            this.x = x;
            this.y = y;
        }

        /** Samples per batch. */
        public Builder batchSize(int size) {
            this.batchSize = size;
            return this;
        }

        /** Shuffles each epoch with an order derived from {@code seed} and the epoch number. */
        public Builder shuffle(long shuffleSeed) {
            this.shuffle = true;
            this.seed = shuffleSeed;
            return this;
        }

        /** Drops the last batch when it is smaller than the batch size. */
        public Builder dropLast(boolean drop) {
            this.dropLast = drop;
            return this;
        }

        /** Assembles up to {@code batches} batches ahead on a background thread (0 = on the caller's thread). */
        public Builder prefetch(int batches) {
            if (batches < 0) {
                throw new IllegalArgumentException("DataLoader: prefetch must be >= 0, got " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        /**
         * A per-batch transformation (such as {@link Augment}), run where the batch is assembled: on the background
         * thread when prefetching.
         */
        public Builder transform(UnaryOperator<Batch> fn) {
            this.transform = fn;
            return this;
        }

        /** The loader. */
        public DataLoader build() {
            return new DataLoader(this);
        }
    }

    /** Number of samples. */
    public int size() {
        return count;
    }

    /** Number of batches per epoch. */
    public int batches() {
        return dropLast ? count / batchSize : (count + batchSize - 1) / batchSize;
    }

    /** The sample order of an epoch (identity without shuffling). */
    public int[] order(int epoch) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        if (shuffle) {
            new Generator(seed * 0x9E3779B97F4A7C15L + epoch).shuffle(order);
        }
        return order;
    }

    /** The batches of one epoch, in order. */
    public Iterable<Batch> epoch(int epoch) {
        int[] order = order(epoch);
        return prefetch == 0 ? () -> new Direct(order, epoch) : () -> new Prefetching(order, epoch, prefetch);
    }

    private Batch assemble(int[] order, int epoch, int index) {
        int from = index * batchSize;
        int n = Math.min(batchSize, count - from);
        Batch b = new Batch(rows(xs, xShape, order, from, n), rows(ys, yShape, order, from, n), index, epoch);
        return transform == null ? b : transform.apply(b);
    }

    private static Tensor rows(float[] src, int[] shape, int[] order, int from, int n) {
        int row = shape[0] == 0 ? 0 : src.length / shape[0];
        float[] dst = new float[n * row];
        for (int i = 0; i < n; i++) {
            System.arraycopy(src, order[from + i] * row, dst, i * row, row);
        }
        int[] batchShape = shape.clone();
        batchShape[0] = n;
        return Tensor.wrap(dst, batchShape); // dst is this batch's own: no copy
    }

    private final class Direct implements Iterator<Batch> {
        private final int[] order;
        private final int epoch;
        private int next;

        Direct(int[] order, int epoch) {
            this.order = order;
            this.epoch = epoch;
        }

        @Override
        public boolean hasNext() {
            return next < batches();
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("DataLoader: epoch has " + batches() + " batches");
            }
            return assemble(order, epoch, next++);
        }
    }

    /**
     * Assembles batches on a daemon thread into a bounded queue; errors there are rethrown to the consumer. The thread
     * holds the iterator only weakly and stops once the iterator is unreachable, so a loop that breaks out of an epoch
     * leaves no thread blocked on a full queue.
     */
    private final class Prefetching implements Iterator<Batch> {
        private final BlockingQueue<Object> queue;
        private final int total = batches();
        private int taken;

        Prefetching(int[] order, int epoch, int depth) {
            queue = new ArrayBlockingQueue<>(depth);
            Thread worker = new Thread(producer(DataLoader.this, queue, order, epoch, total,
                    new java.lang.ref.WeakReference<>(this)), "nabla-prefetch");
            worker.setDaemon(true);
            worker.start();
        }

        /** The producer's loop; static, so that it refers to the iterator only through {@code consumer}. */
        private static Runnable producer(DataLoader loader, BlockingQueue<Object> queue, int[] order, int epoch,
                int total, java.lang.ref.WeakReference<Prefetching> consumer) {
            return () -> {
                try {
                    for (int i = 0; i < total; i++) {
                        if (!offer(queue, loader.assemble(order, epoch, i), consumer)) {
                            return;
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    try {
                        offer(queue, e, consumer);
                    } catch (InterruptedException stopped) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
        }

        /** Puts {@code item} on the queue; false, without putting it, once the consumer is gone. */
        private static boolean offer(BlockingQueue<Object> queue, Object item,
                java.lang.ref.WeakReference<Prefetching> consumer) throws InterruptedException {
            while (!queue.offer(item, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                if (consumer.get() == null) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean hasNext() {
            return taken < total;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("DataLoader: epoch has " + total + " batches");
            }
            try {
                Object item = queue.take();
                if (item instanceof RuntimeException e) {
                    throw new IllegalStateException("DataLoader: assembling batch " + taken + " failed: "
                            + e.getMessage(), e);
                }
                taken++;
                return (Batch) item;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("DataLoader: interrupted while waiting for batch " + taken, e);
            }
        }
    }
}
