package dev.nabla.nn;

import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** Zeros around the image of {@code [N, C, H, W]}: {@code top, bottom} rows and {@code left, right} columns. */
public final class ZeroPad2d extends Module {
    private final int top;
    private final int bottom;
    private final int left;
    private final int right;

    /** The same padding on every side. */
    public ZeroPad2d(int padding) {
        this(padding, padding, padding, padding);
    }

    /** Padding per side. */
    public ZeroPad2d(int top, int bottom, int left, int right) {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("ZeroPad2d: padding must not be negative, got " + top + ", " + bottom
                    + ", " + left + ", " + right);
        }
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
    }

    static ZeroPad2d fromConfig(LayerConfig c) {
        return new ZeroPad2d(c.getInt("top"), c.getInt("bottom"), c.getInt("left"), c.getInt("right"));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException("ZeroPad2d: input " + Shapes.str(x.shape()) + " must be [N, C, H, W]");
        }
        return x.pad(2, top, bottom).pad(3, left, right);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("top", top);
        config.put("bottom", bottom);
        config.put("left", left);
        config.put("right", right);
        return config;
    }

    @Override
    protected String describe() {
        return top + ", " + bottom + ", " + left + ", " + right;
    }
}
