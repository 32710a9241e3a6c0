package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shapes;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Layer normalisation over the last dimensions, y = (x − μ)/√(σ² + ε)·γ + β with μ, σ² (biased) of each sample:
 * PyTorch's {@code LayerNorm(normalizedShape)}, composed of tensor ops. The same in training and eval mode.
 */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    /** Normalises over trailing dimensions of this shape, eps 1e-5, with learned γ (ones) and β (zeros). */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5);
    }

    public LayerNorm(int[] normalizedShape, double eps) {
        if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(s -> s <= 0) || !(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm: shape " + Arrays.toString(normalizedShape)
                    + " must be non-empty and positive, eps > 0 (got " + eps + ")");
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        weight = registerParameter("weight", Tensor.ones(normalizedShape));
        bias = registerParameter("bias", Tensor.zeros(normalizedShape));
    }

    static LayerNorm fromConfig(LayerConfig c) {
        return new LayerNorm(c.getInts("shape"), c.getDouble("eps", 1e-5));
    }

    @Override
    public int[] build(int[] inputShape, Generator generator) {
        check(inputShape, inputShape.length);
        return inputShape.clone();
    }

    private void check(int[] shape, int rank) {
        int k = normalizedShape.length;
        if (rank < k || !Arrays.equals(Arrays.copyOfRange(shape, rank - k, rank), normalizedShape)) {
            throw new IllegalArgumentException(this + ": input shape " + Shapes.str(shape) + " must end in "
                    + Shapes.str(normalizedShape));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        check(x.shape(), x.dim());
        int[] dims = new int[normalizedShape.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = x.dim() - dims.length + i;
        }
        Tensor centered = x.sub(x.mean(dims, true));
        Tensor var = centered.square().mean(dims, true);
        return centered.div(var.add(eps).sqrt()).mul(weight.to(x.dtype())).add(bias.to(x.dtype()));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("shape", Arrays.stream(normalizedShape).boxed().map(Object.class::cast).toList());
        config.put("eps", eps);
        return config;
    }

    @Override
    public String toString() {
        return "LayerNorm(" + describe() + ")";
    }

    @Override
    protected String describe() {
        return Shapes.str(normalizedShape) + ", eps=" + eps;
    }
}
