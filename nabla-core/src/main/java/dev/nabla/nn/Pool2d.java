package dev.nabla.nn;

import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@link MaxPool2d} and {@link AvgPool2d} share: kernel, stride (default: the kernel), padding, config. */
public abstract class Pool2d extends Module {
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;

    Pool2d(int[] kernel, int[] stride, int[] padding) {
        this.kernel = kernel.clone();
        this.stride = stride == null ? kernel.clone() : stride.clone();
        this.padding = padding.clone();
    }

    abstract Tensor pool(Tensor x, int[] kernel, int[] stride, int[] padding);

    int[] kernel() {
        return kernel;
    }

    int[] stride() {
        return stride;
    }

    int[] padding() {
        return padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        try {
            return pool(x, kernel, stride, padding);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + ": " + e.getMessage(), e);
        }
    }

    /** "kernel", "stride", "padding", each a list of one or two sizes. */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("kernel", list(kernel));
        config.put("stride", list(stride));
        config.put("padding", list(padding));
        return config;
    }

    static int[][] read(LayerConfig c) {
        int[] kernel = c.getInts("kernel");
        return new int[][] {kernel, c.getInts("stride", kernel), c.getInts("padding", new int[] {0})};
    }

    private static List<Object> list(int[] v) {
        return Arrays.stream(v).boxed().map(Object.class::cast).toList();
    }

    @Override
    protected String describe() {
        return "kernel=" + Arrays.toString(kernel) + ", stride=" + Arrays.toString(stride)
                + (Arrays.stream(padding).allMatch(p -> p == 0) ? "" : ", padding=" + Arrays.toString(padding));
    }
}
