package dev.nabla.tensor;

import dev.nabla.autograd.GradMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The backward pass: a topological sort of the recorded graph, then one loop that applies each node's rule from
 * {@link Derivatives} and sums gradients back to each input's shape (un-broadcasting, done only here).
 *
 * <p>Without {@code createGraph}, the pass sums gradients into buffers it allocated itself and that nothing else
 * refers to ({@code owned}), in place, and lets rules add straight into such a buffer:
 * <ul>
 *   <li>the gradient of a {@link Prim#NARROW} view goes into its slice of a buffer of the source's shape instead of
 *       being padded to that shape first ({@link Derivatives#accumulate}), so a loop that reads a sequence one time
 *       step at a time costs O(step), not O(sequence), per step;
 *   <li>a gradient that is a matrix product, a LINEAR weight's gᵀ·x ({@link Derivatives#productFactors}), is held
 *       back and summed with the other products for the same buffer as one product over all their rows, when the
 *       buffer is next read: a recurrent weight used at T time steps gets one GEMM with T times the rows instead of
 *       T small ones, each reading and writing the whole weight-sized sum.
 * </ul>
 * A gradient leaves the owned set when it is handed to a rule, which may return it, or views of it, as several
 * inputs' gradients.
 */
final class Autograd {
    private Autograd() {}

    static void backward(Tensor root, Tensor seed, boolean retainGraph, boolean createGraph) {
        new Pass(retainGraph, createGraph, null).run(root, seed);
    }

    /** The gradients of {@code root} with respect to {@code inputs}, returned instead of accumulated in .grad. */
    static Tensor[] gradients(Tensor root, Tensor seed, Tensor[] inputs, boolean retainGraph, boolean createGraph) {
        Map<Tensor, Tensor> captured = new IdentityHashMap<>();
        for (Tensor in : inputs) {
            if (!in.requiresGrad) {
                throw new IllegalArgumentException("gradients: input " + Shapes.str(in.shape)
                        + " does not require grad");
            }
            captured.put(in, null);
        }
        new Pass(retainGraph, createGraph, captured).run(root, seed);
        Tensor[] out = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor g = captured.get(inputs[i]);
            out[i] = g != null ? g : inputs[i].zerosLike();
        }
        return out;
    }

    /** The state of one backward pass. */
    private static final class Pass {
        /** As in PyTorch: a recorded backward pass refers to the forward graph, so createGraph keeps it. */
        final boolean retain;
        final boolean createGraph;
        /** With {@link Tensor#gradients}: the inputs whose gradients are returned; else null. */
        final Map<Tensor, Tensor> captured;
        final boolean anomaly = GradMode.isAnomalyDetectionEnabled();
        /** The gradient pending for each non-leaf tensor not yet processed. */
        final Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        /** Storage handed to leaves as their .grad. */
        final Set<Object> delivered = Collections.newSetFromMap(new IdentityHashMap<>());
        /** Gradient buffers this pass allocated and nothing else refers to: summed into in place. */
        final Set<Tensor> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        /** Per owned buffer, matrix products {@code aᵀ·b} still to be added into it, as {a, b}. */
        final Map<Tensor, List<Tensor[]>> deferred = new IdentityHashMap<>();
        /**
         * Owned buffers taken from a leaf's recycled gradient ({@link Tensor#recycleGrad}) whose old values are still
         * there: the first deferred product overwrites them (a GEMM with β = 0, no zeroing), anything else added
         * first finds them zeroed.
         */
        final Set<Tensor> stale = Collections.newSetFromMap(new IdentityHashMap<>());

        Pass(boolean retainGraph, boolean createGraph, Map<Tensor, Tensor> captured) {
            this.retain = retainGraph || createGraph;
            this.createGraph = createGraph;
            this.captured = captured;
        }

        void run(Tensor root, Tensor seed) {
            if (!root.requiresGrad) {
                throw new IllegalStateException("backward: the tensor " + Shapes.str(root.shape)
                        + " does not require grad (no input of its computation called requiresGrad(true))");
            }
            if (seed == null || !Arrays.equals(seed.shape, root.shape) || seed.dtype != root.dtype) {
                throw new IllegalArgumentException("backward: upstream gradient "
                        + (seed == null ? "null" : seed.dtype + " " + Shapes.str(seed.shape))
                        + " must match the output " + root.dtype + " " + Shapes.str(root.shape));
            }
            List<Tensor> order = topologicalOrder(root);
            delivered.add(seed.storage());
            try (var scope = createGraph ? GradMode.enableGrad() : GradMode.noGrad()) {
                if (root.node == null) {
                    deliver(root, seed);
                    return;
                }
                grads.put(root, seed);
                for (Tensor t : order) {
                    Tensor g = grads.remove(t);
                    if (g != null) {
                        flush(g);
                        owned.remove(g);
                        apply(t, g);
                    }
                }
                for (Tensor buffer : new ArrayList<>(deferred.keySet())) {
                    flush(buffer);
                }
            }
        }

        /** Applies the rule of the node that produced {@code t} to its gradient {@code g}. */
        private void apply(Tensor t, Tensor g) {
            if (captured != null && captured.containsKey(t)) {
                captured.put(t, g);
            }
            Node n = t.node;
            if (n.freed) {
                throw new IllegalStateException("backward: trying to backward through the graph a second time ("
                        + n.op + " producing " + Shapes.str(t.shape) + " was already freed); pass retainGraph=true"
                        + " to the first backward if you need to");
            }
            g = Derivatives.beforeFusedRelu(n, t, g);
            boolean[] needs = new boolean[n.inputs.length];
            boolean rest = false;
            for (int i = 0; i < needs.length; i++) {
                needs[i] = n.inputs[i].requiresGrad && !(!createGraph && !anomaly && accumulateDirectly(n, i, g));
                rest |= needs[i];
            }
            Tensor[] inputGrads = rest ? Derivatives.vjp(n, t, g, needs) : new Tensor[needs.length];
            for (int i = 0; i < n.inputs.length; i++) {
                Tensor in = n.inputs[i];
                if (!needs[i] || inputGrads[i] == null) {
                    continue;
                }
                Tensor gi = sumTo(inputGrads[i], in.shape);
                if (anomaly) {
                    checkFinite(n, i, in, gi);
                }
                if (in.node == null) {
                    deliver(in, gi);
                } else {
                    merge(in, gi);
                }
            }
            if (!retain) {
                n.freed = true;
            }
        }

        /** Adds {@code g} to the gradient pending for the non-leaf {@code in}: in place when this pass owns it. */
        private void merge(Tensor in, Tensor g) {
            Tensor old = grads.get(in);
            if (old == null) {
                grads.put(in, g);
            } else if (owned.contains(old)) {
                Elementwise.accumulate(old, g, 1);
            } else {
                Tensor sum = old.add(g);
                grads.put(in, sum);
                if (!createGraph) {
                    owned.add(sum);
                }
            }
        }

        /**
         * Adds input {@code i}'s gradient straight into the buffer it would be summed into, when the rule allows: a
         * product (a LINEAR weight's) is deferred to {@link #flush}, a NARROW's slice added now. The input gets a
         * buffer this pass owns if it has none yet (zeros plus whatever was pending), so a weight's first use is
         * batched with the others and a slice's gradient is never padded.
         */
        private boolean accumulateDirectly(Node n, int i, Tensor g) {
            Tensor in = n.inputs[i];
            boolean leaf = in.node == null;
            if (leaf && captured != null) {
                return false;
            }
            Tensor[] factors = Derivatives.productFactors(n, g, i);
            if (factors == null && n.op != Prim.NARROW) {
                return false;
            }
            Tensor pending = leaf ? in.grad : grads.get(in);
            Tensor buffer = pending;
            if (pending == null || !owned.contains(pending)) {
                // a buffer of its own: zeros plus whatever was pending (which stays as it is, for its holders);
                // for a leaf's first product, its recycled gradient buffer if it has one, overwritten by the product
                Tensor spare = leaf && pending == null && factors != null ? in.takeSpareGrad() : null;
                if (spare != null && spare.dtype == in.dtype && Arrays.equals(spare.shape, in.shape)
                        && spare.ownsArray()) {
                    buffer = spare;
                    stale.add(buffer);
                } else {
                    buffer = Tensor.empty(in.dtype, in.shape.clone());
                }
                if (pending != null) {
                    Elementwise.assign(buffer, pending);
                }
                owned.add(buffer);
                if (leaf) {
                    in.grad = buffer;
                } else {
                    grads.put(in, buffer);
                }
            }
            if (factors != null) {
                deferred.computeIfAbsent(buffer, b -> new ArrayList<>()).add(factors);
                return true;
            }
            clearIfStale(buffer);
            return Derivatives.accumulate(n, g, i, buffer);
        }

        /** Zeroes a recycled buffer before something other than its first product is added into it. */
        private void clearIfStale(Tensor buffer) {
            if (stale.remove(buffer)) {
                if (buffer.f != null) {
                    Arrays.fill(buffer.f, 0f);
                } else {
                    Arrays.fill(buffer.d, 0.0);
                }
            }
        }

        /** Adds the products deferred for {@code buffer} into it: one GEMM over all their rows. */
        private void flush(Tensor buffer) {
            List<Tensor[]> products = deferred.remove(buffer);
            if (products == null) {
                return;
            }
            Tensor a = products.get(0)[0];
            Tensor b = products.get(0)[1];
            if (products.size() > 1) {
                a = Tensor.concat(0, products.stream().map(p -> p[0]).toArray(Tensor[]::new));
                b = Tensor.concat(0, products.stream().map(p -> p[1]).toArray(Tensor[]::new));
            }
            if (stale.remove(buffer)) {
                if (MatMul.forward(a.mT(), b, buffer) != buffer) {
                    throw new IllegalStateException("backward: cannot write a " + Shapes.str(a.mT().shape) + " x "
                            + Shapes.str(b.shape) + " product into a gradient of shape " + Shapes.str(buffer.shape));
                }
                return;
            }
            if (!MatMul.addProduct(buffer, a.mT(), b)) {
                throw new IllegalStateException("backward: cannot add a " + Shapes.str(a.mT().shape) + " x "
                        + Shapes.str(b.shape) + " product into a gradient of shape " + Shapes.str(buffer.shape));
            }
        }

        /** Hands a leaf's gradient to the caller's capture map when there is one, else accumulates it in .grad. */
        private void deliver(Tensor leaf, Tensor g) {
            if (captured == null) {
                // A leaf keeps g itself only if no other leaf holds g's storage; else a copy, so that an in-place
                // update of one leaf's gradient (clipping, say) can never change another's.
                boolean fresh = createGraph || (g.ownsArray() && delivered.add(g.storage()));
                accumulateLeaf(leaf, fresh ? g : g.contiguousCopy());
            } else if (captured.containsKey(leaf)) {
                captured.merge(leaf, g, (old, add) -> old == null ? add : old.add(add));
            }
        }

        /** Sums into .grad; in place once this pass has made the sum itself (a leaf used at every time step, say). */
        private void accumulateLeaf(Tensor leaf, Tensor g) {
            if (!leaf.requiresGrad) {
                return;
            }
            if (leaf.grad == null) {
                leaf.grad = g;
            } else if (owned.contains(leaf.grad)) {
                clearIfStale(leaf.grad);
                Elementwise.accumulate(leaf.grad, g, 1);
            } else {
                leaf.grad = leaf.grad.add(g);
                if (!createGraph) {
                    owned.add(leaf.grad);
                }
            }
        }
    }

    private static void checkFinite(Node n, int i, Tensor in, Tensor gi) {
        for (double v : gi.detach().toDoubleArray()) {
            if (Double.isNaN(v)) {
                throw new ArithmeticException("anomaly: backward of " + n.op + " produced NaN in the gradient of input "
                        + i + " (shape " + Shapes.str(in.shape) + (in.name() != null ? ", '" + in.name() + "'" : "")
                        + ")");
            }
        }
    }

    /** Sums a gradient in a broadcast shape back to {@code shape}: over leading dimensions and over size-1 ones. */
    static Tensor sumTo(Tensor g, int[] shape) {
        if (Arrays.equals(g.shape, shape)) {
            return g;
        }
        int lead = g.shape.length - shape.length;
        if (lead < 0) {
            throw new IllegalStateException("sumTo: gradient " + Shapes.str(g.shape) + " has lower rank than "
                    + Shapes.str(shape));
        }
        List<Integer> dims = new ArrayList<>();
        for (int i = 0; i < g.shape.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && g.shape[i] != 1)) {
                dims.add(i);
            }
        }
        Tensor summed = dims.isEmpty() ? g : g.sum(dims.stream().mapToInt(Integer::intValue).toArray(), true);
        return summed.reshape(shape);
    }

    /** The recorded (non-leaf) tensors reachable from {@code root}, each after every tensor computed from it. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> postOrder = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Tensor> stack = new ArrayDeque<>();
        ArrayDeque<Integer> next = new ArrayDeque<>();
        if (root.node == null) {
            return postOrder;
        }
        stack.push(root);
        next.push(0);
        seen.add(root);
        while (!stack.isEmpty()) {
            Tensor t = stack.peek();
            int i = next.pop();
            if (i < t.node.inputs.length) {
                next.push(i + 1);
                Tensor child = t.node.inputs[i];
                if (child.node != null && child.requiresGrad && seen.add(child)) {
                    stack.push(child);
                    next.push(0);
                }
            } else {
                stack.pop();
                postOrder.add(t);
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }
}
