package dev.nabla.nn;

import dev.nabla.tensor.Tensor;
import java.util.Map;

/** The activation layer x for x &gt; 0, else slope·x (PyTorch's default slope 0.01). */
public final class LeakyReLU extends Module {
    private final double slope;

    /** With PyTorch's default slope, 0.01. */
    public LeakyReLU() {
        this(0.01);
    }

    /** With the given negative slope. */
    public LeakyReLU(double slope) {
        this.slope = slope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.leakyRelu(slope);
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("slope", slope);
    }

    @Override
    protected String describe() {
        return "slope=" + slope;
    }
}
