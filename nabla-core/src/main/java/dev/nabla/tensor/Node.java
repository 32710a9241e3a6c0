package dev.nabla.tensor;

/**
 * One recorded application of a primitive: what produced a tensor, from which inputs, with which settings.
 *
 * <p>{@code ints} carries the op's integer settings (dimensions, sizes, indices); {@code aux} a tensor input that
 * takes no gradient (a condition or an index tensor). Backward without {@code retainGraph} marks the node freed, so
 * a second backward through it fails clearly instead of silently reusing it.
 */
final class Node {
    final Prim op;
    final Tensor[] inputs;
    final int[] ints;
    final double scalar;
    final Tensor aux;
    boolean freed;

    Node(Prim op, Tensor[] inputs, int[] ints, double scalar, Tensor aux) {
        this.op = op;
        this.inputs = inputs;
        this.ints = ints;
        this.scalar = scalar;
        this.aux = aux;
    }
}
