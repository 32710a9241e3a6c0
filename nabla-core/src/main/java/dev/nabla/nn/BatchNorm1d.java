package dev.nabla.nn;

/** {@link BatchNorm} over {@code [N, C]} or {@code [N, C, L]}: after a dense layer or a 1-d convolution. */
public final class BatchNorm1d extends BatchNorm {
    /** PyTorch's defaults: momentum 0.1, eps 1e-5. */
    public BatchNorm1d(int features) {
        this(features, 0.1, 1e-5);
    }

    public BatchNorm1d(int features, double momentum, double eps) {
        super(features, momentum, eps);
    }

    static BatchNorm1d fromConfig(LayerConfig c) {
        return new BatchNorm1d(c.getInt("features"), c.getDouble("momentum", 0.1), c.getDouble("eps", 1e-5));
    }

    @Override
    boolean acceptsRank(int rank) {
        return rank == 2 || rank == 3;
    }

    @Override
    String expected(boolean batched) {
        String n = batched ? "N, " : "";
        return "[" + n + features() + "] or [" + n + features() + ", L]";
    }
}
