package dev.nabla.nn;

/** {@link BatchNorm} over {@code [N, C, H, W]}, per channel: after a 2-d convolution. */
public final class BatchNorm2d extends BatchNorm {
    /** PyTorch's defaults: momentum 0.1, eps 1e-5. */
    public BatchNorm2d(int channels) {
        this(channels, 0.1, 1e-5);
    }

    public BatchNorm2d(int channels, double momentum, double eps) {
        super(channels, momentum, eps);
    }

    static BatchNorm2d fromConfig(LayerConfig c) {
        return new BatchNorm2d(c.getInt("features"), c.getDouble("momentum", 0.1), c.getDouble("eps", 1e-5));
    }

    @Override
    boolean acceptsRank(int rank) {
        return rank == 4;
    }

    @Override
    String expected(boolean batched) {
        return "[" + (batched ? "N, " : "") + features() + ", H, W]";
    }
}
