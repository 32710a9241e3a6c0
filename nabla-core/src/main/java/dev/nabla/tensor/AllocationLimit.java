package dev.nabla.tensor;

/**
 * A per-thread cap on the tensor elements allocated inside a scope, for building networks from untrusted
 * descriptions: a hostile model file could otherwise ask for a layer whose weights or activations fill the heap
 * before its weights are ever compared with the file's.
 *
 * <pre>{@code try (var limit = AllocationLimit.of(budget, "model.safetensors")) { network.build(...); } }</pre>
 */
public final class AllocationLimit implements AutoCloseable {
    private static final ThreadLocal<AllocationLimit> CURRENT = new ThreadLocal<>();
    /** Limits open on any thread: while none is, {@link #charge} skips the thread-local lookup (every allocation pays it). */
    private static final java.util.concurrent.atomic.AtomicInteger OPEN = new java.util.concurrent.atomic.AtomicInteger();

    private final AllocationLimit previous;
    private final long budget;
    private final String what;
    private long remaining;
    private boolean closed;

    private AllocationLimit(long budget, String what) {
        this.previous = CURRENT.get();
        this.budget = budget;
        this.what = what;
        this.remaining = budget;
        CURRENT.set(this);
        OPEN.incrementAndGet();
    }

    /** Allows at most {@code maxElements} tensor elements to be allocated on this thread until closed. */
    public static AllocationLimit of(long maxElements, String what) {
        return new AllocationLimit(maxElements, what);
    }

    /** Counts an allocation against the innermost open limit, failing before it happens when over budget. */
    static void charge(long elements) {
        if (OPEN.get() == 0) {
            return;
        }
        AllocationLimit limit = CURRENT.get();
        if (limit != null) {
            limit.remaining -= elements;
            if (limit.remaining < 0) {
                throw new IllegalArgumentException(limit.what + ": building it would allocate more than "
                        + limit.budget + " tensor elements (the last request: " + elements + ")");
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CURRENT.set(previous);
        OPEN.decrementAndGet();
    }
}
