package dev.nabla.autograd;

/**
 * Per-thread switches of the autograd engine: whether ops record a graph, and whether backward checks for NaN.
 *
 * <p>Both are scopes for try-with-resources, so the previous setting always comes back:
 * <pre>{@code try (var scope = GradMode.noGrad()) { ... } }</pre>
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> FLAGS = ThreadLocal.withInitial(() -> new boolean[] {true, false});
    private static final int ENABLED = 0;
    private static final int ANOMALY = 1;

    private GradMode() {}

    /** A scope that restores a flag when closed. */
    public static final class Scope implements AutoCloseable {
        private final int flag;
        private final boolean previous;

        private Scope(int flag, boolean value) {
            boolean[] flags = FLAGS.get();
            this.flag = flag;
            this.previous = flags[flag];
            flags[flag] = value;
        }

        @Override
        public void close() {
            FLAGS.get()[flag] = previous;
        }
    }

    /** True when ops on tensors that require gradients record the graph (the default). */
    public static boolean isEnabled() {
        return FLAGS.get()[ENABLED];
    }

    /** Ops inside this scope record nothing: for inference and optimizer updates. */
    public static Scope noGrad() {
        return new Scope(ENABLED, false);
    }

    /** Ops inside this scope record the graph again (inside a no-grad scope). */
    public static Scope enableGrad() {
        return new Scope(ENABLED, true);
    }

    /** True when backward checks every gradient it computes for NaN. */
    public static boolean isAnomalyDetectionEnabled() {
        return FLAGS.get()[ANOMALY];
    }

    /** Inside this scope, a NaN produced in backward fails with the op and shapes that produced it. */
    public static Scope detectAnomaly() {
        return new Scope(ANOMALY, true);
    }
}
