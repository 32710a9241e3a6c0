package dev.nabla.tensor;

/**
 * The linear map {@code x·weightᵀ + bias} prepared for many calls with one weight, such as a recurrent layer's
 * hidden-to-hidden product at every time step of a forward pass. The weight is copied once into {@code [in, out]}
 * order, so that each product reads it row by row, the faster GEMM layout when x has few rows, instead of
 * transposed. Values and the recorded graph are those of {@link Tensor#linear}: the gradient goes to the weight
 * itself, whose own layout also suits the backward product {@code g·weight}.
 *
 * <p>The copy is taken by {@link #of}: prepare again after the weight changes (an optimizer step).
 */
public final class PreparedLinear {
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor transposed;

    private PreparedLinear(Tensor weight, Tensor bias, Tensor transposed) {
        this.weight = weight;
        this.bias = bias;
        this.transposed = transposed;
    }

    /** Prepares {@code weight} {@code [out, in]} (PyTorch's layout) with an optional {@code bias} {@code [out]}. */
    public static PreparedLinear of(Tensor weight, Tensor bias) {
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("PreparedLinear: weight " + Shapes.str(weight.shape)
                    + " must be [out, in]");
        }
        Tensor t = weight.view(new int[] {weight.shape[1], weight.shape[0]},
                new int[] {weight.strides[1], weight.strides[0]}, weight.offset);
        return new PreparedLinear(weight, bias, t.contiguousCopy());
    }

    /** {@code x.linear(weight, bias)}, computed with the prepared copy. */
    public Tensor apply(Tensor x) {
        x.checkLinear(weight, bias);
        return Tensor.linear(x, weight, bias, transposed, false);
    }

    public Tensor weight() {
        return weight;
    }
}
