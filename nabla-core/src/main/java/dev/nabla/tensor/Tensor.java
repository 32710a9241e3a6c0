package dev.nabla.tensor;

import dev.nabla.autograd.GradMode;
import dev.nabla.kernel.Fused;
import dev.nabla.kernel.Strided;
import java.util.Arrays;

/**
 * A dense n-dimensional array of float32 or float64 values that records, when asked, how it was computed, so that
 * {@link #backward()} can compute gradients (reverse-mode automatic differentiation).
 *
 * <p>Row-major with explicit strides: {@link #transpose}, {@link #expand}, {@link #narrow} and friends are views
 * that share storage; every other op returns a new contiguous tensor. Ops are fluent:
 * {@code x.matmul(w).add(b).relu()}. Tensors are immutable from outside except through the explicit
 * {@code *_} in-place methods that optimizers use.
 */
public final class Tensor {
    final DType dtype;
    final int[] shape;
    final int[] strides;
    final int offset;
    final float[] f;
    final double[] d;

    boolean requiresGrad;
    Tensor grad;
    /** A gradient buffer kept by {@link #recycleGrad} for the next backward to write into, or null. */
    private Tensor spareGrad;
    Node node;
    private String name;

    Tensor(float[] data, int[] shape) {
        this(DType.FLOAT32, data, null, shape, Shapes.contiguousStrides(shape), 0);
    }

    Tensor(double[] data, int[] shape) {
        this(DType.FLOAT64, null, data, shape, Shapes.contiguousStrides(shape), 0);
    }

    private Tensor(DType dtype, float[] f, double[] d, int[] shape, int[] strides, int offset) {
        this.dtype = dtype;
        this.f = f;
        this.d = d;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** A view of this tensor's storage with another shape, strides and offset (no graph recorded). */
    Tensor view(int[] newShape, int[] newStrides, int newOffset) {
        return new Tensor(dtype, f, d, newShape, newStrides, newOffset);
    }

    static Tensor empty(DType dtype, int[] shape) {
        int n = Shapes.size(shape);
        AllocationLimit.charge(n);
        return dtype == DType.FLOAT32 ? new Tensor(new float[n], shape) : new Tensor(new double[n], shape);
    }

    // ---------------------------------------------------------------- creation

    /** A tensor of zeros (float32). */
    public static Tensor zeros(int... shape) {
        return zeros(DType.FLOAT32, shape);
    }

    /** A tensor of zeros of the given type. */
    public static Tensor zeros(DType dtype, int... shape) {
        return empty(dtype, Shapes.validate("zeros", shape));
    }

    /** A tensor of ones (float32). */
    public static Tensor ones(int... shape) {
        return full(DType.FLOAT32, 1, shape);
    }

    /** A tensor of ones of the given type. */
    public static Tensor ones(DType dtype, int... shape) {
        return full(dtype, 1, shape);
    }

    /** A tensor filled with {@code value} (float32). */
    public static Tensor full(double value, int... shape) {
        return full(DType.FLOAT32, value, shape);
    }

    /** A tensor filled with {@code value}. */
    public static Tensor full(DType dtype, double value, int... shape) {
        Tensor t = empty(dtype, Shapes.validate("full", shape));
        t.fillRaw(value);
        return t;
    }

    /** A 0-d tensor holding one float32 value. */
    public static Tensor scalar(double value) {
        return full(DType.FLOAT32, value);
    }

    /** A 0-d tensor holding one value of the given type. */
    public static Tensor scalar(DType dtype, double value) {
        return full(dtype, value);
    }

    /** {@code [0, 1, ..., n-1]} as float32. */
    public static Tensor arange(int n) {
        return arange(0, n, 1);
    }

    /** {@code [start, start+step, ...)} up to but excluding {@code end}, as float32. */
    public static Tensor arange(double start, double end, double step) {
        if (step == 0 || Double.isNaN(step)) {
            throw new IllegalArgumentException("arange: step must be non-zero, got " + step);
        }
        long n = Math.max(0, (long) Math.ceil((end - start) / step));
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("arange: " + n + " elements is too many");
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (start + i * step);
        }
        return new Tensor(v, new int[] {(int) n});
    }

    /** The n×n identity matrix (float32). */
    public static Tensor eye(int n) {
        return eye(DType.FLOAT32, n);
    }

    /** The n×n identity matrix. */
    public static Tensor eye(DType dtype, int n) {
        Tensor t = zeros(dtype, n, n);
        for (int i = 0; i < n; i++) {
            t.setRaw(i * n + i, 1);
        }
        return t;
    }

    /** A float32 tensor holding a copy of {@code data} in the given shape. */
    public static Tensor fromArray(float[] data, int... shape) {
        checkLength("fromArray", data.length, shape);
        return new Tensor(data.clone(), shape.clone());
    }

    /**
     * A float32 tensor that uses {@code data} itself as its storage, without copying (PyTorch's
     * {@code from_numpy}): for large datasets. Later writes to the array show in the tensor.
     */
    public static Tensor wrap(float[] data, int... shape) {
        checkLength("wrap", data.length, shape);
        return new Tensor(data, shape.clone());
    }

    /** A float64 tensor holding a copy of {@code data} in the given shape. */
    public static Tensor fromArray(double[] data, int... shape) {
        checkLength("fromArray", data.length, shape);
        return new Tensor(data.clone(), shape.clone());
    }

    /** A 1-d float32 tensor of the given values. */
    public static Tensor of(float... values) {
        return new Tensor(values.clone(), new int[] {values.length});
    }

    /** A float32 matrix from rows of equal length. */
    public static Tensor fromArray(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] v = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("fromArray: row " + i + " has " + rows[i].length
                        + " values, row 0 has " + cols);
            }
            System.arraycopy(rows[i], 0, v, i * cols, cols);
        }
        return new Tensor(v, new int[] {rows.length, cols});
    }

    /** A float64 matrix from rows of equal length. */
    public static Tensor fromArray(double[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        double[] v = new double[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("fromArray: row " + i + " has " + rows[i].length
                        + " values, row 0 has " + cols);
            }
            System.arraycopy(rows[i], 0, v, i * cols, cols);
        }
        return new Tensor(v, new int[] {rows.length, cols});
    }

    private static void checkLength(String op, int length, int[] shape) {
        Shapes.validate(op, shape);
        if (Shapes.size(shape) != length) {
            throw new IllegalArgumentException(op + ": " + length + " values do not fill shape " + Shapes.str(shape)
                    + " (" + Shapes.size(shape) + " elements)");
        }
    }

    /** Uniform samples in [0, 1) (float32). */
    public static Tensor rand(Generator gen, int... shape) {
        return uniform(gen, 0, 1, shape);
    }

    /** Standard normal samples (float32). */
    public static Tensor randn(Generator gen, int... shape) {
        return normal(gen, 0, 1, shape);
    }

    /** Uniform samples in [low, high) (float32). */
    public static Tensor uniform(Generator gen, double low, double high, int... shape) {
        return uniform(DType.FLOAT32, gen, low, high, shape);
    }

    /** Uniform samples in [low, high). */
    public static Tensor uniform(DType dtype, Generator gen, double low, double high, int... shape) {
        if (!(low <= high)) {
            throw new IllegalArgumentException("uniform: low " + low + " must not exceed high " + high);
        }
        Tensor t = empty(dtype, Shapes.validate("uniform", shape));
        for (int i = 0, n = t.numel(); i < n; i++) {
            t.setRaw(i, low + (high - low) * gen.nextDouble());
        }
        return t;
    }

    /** Normal samples with the given mean and standard deviation (float32). */
    public static Tensor normal(Generator gen, double mean, double std, int... shape) {
        return normal(DType.FLOAT32, gen, mean, std, shape);
    }

    /** Normal samples with the given mean and standard deviation. */
    public static Tensor normal(DType dtype, Generator gen, double mean, double std, int... shape) {
        if (!(std >= 0)) {
            throw new IllegalArgumentException("normal: std must be >= 0, got " + std);
        }
        Tensor t = empty(dtype, Shapes.validate("normal", shape));
        for (int i = 0, n = t.numel(); i < n; i++) {
            t.setRaw(i, mean + std * gen.nextGaussian());
        }
        return t;
    }

    /** Zeros with this tensor's shape and type. */
    public Tensor zerosLike() {
        return empty(dtype, shape.clone());
    }

    /** Ones with this tensor's shape and type. */
    public Tensor onesLike() {
        return full(dtype, 1, shape.clone());
    }

    // ---------------------------------------------------------------- properties and data

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** The size of one dimension (negative counts from the end). */
    public int size(int dim) {
        return shape[Shapes.dim("size", dim, shape.length)];
    }

    /** A copy of the strides, in elements. */
    public int[] strides() {
        return strides.clone();
    }

    /** The rank (number of dimensions); 0 for a scalar. */
    public int dim() {
        return shape.length;
    }

    /** The number of elements. */
    public int numel() {
        return Shapes.size(shape);
    }

    /** True when the elements lie in row-major order without gaps. */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /**
     * True when this tensor exactly fills its backing array from index 0 in row-major order, so that
     * {@link #floatData()} / {@link #doubleData()} can hand out the array itself.
     */
    public boolean ownsStorage() {
        return ownsArray();
    }

    /** True when this tensor exactly fills its backing array from index 0, so the array can be used directly. */
    boolean ownsArray() {
        int length = f != null ? f.length : d.length;
        return offset == 0 && length == numel() && isContiguous();
    }

    /** The backing array (float[] or double[]), for identity checks. */
    Object storage() {
        return f != null ? f : d;
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item: tensor of shape " + Shapes.str(shape) + " has " + numel()
                    + " elements, item() needs exactly one");
        }
        return getRaw(offset);
    }

    /** The element at a full index. */
    public double get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("get: index " + Arrays.toString(index) + " has " + index.length
                    + " coordinates, tensor has rank " + shape.length);
        }
        int p = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("get: index " + Arrays.toString(index) + " is out of bounds for shape "
                        + Shapes.str(shape));
            }
            p += index[i] * strides[i];
        }
        return getRaw(p);
    }

    double getRaw(int p) {
        return f != null ? f[p] : d[p];
    }

    void setRaw(int p, double v) {
        if (f != null) {
            f[p] = (float) v;
        } else {
            d[p] = v;
        }
    }

    private void fillRaw(double v) {
        if (f != null) {
            Arrays.fill(f, (float) v);
        } else {
            Arrays.fill(d, v);
        }
    }

    /** The elements in row-major order as a new float array. */
    public float[] toFloatArray() {
        Tensor c = contiguousOf(dtype == DType.FLOAT32 ? this : to(DType.FLOAT32));
        return c.ownsArray() && c != this ? c.f : Arrays.copyOfRange(c.f, c.offset, c.offset + numel());
    }

    /** The elements in row-major order as a new double array. */
    public double[] toDoubleArray() {
        Tensor c = contiguousOf(dtype == DType.FLOAT64 ? this : to(DType.FLOAT64));
        return c.ownsArray() && c != this ? c.d : Arrays.copyOfRange(c.d, c.offset, c.offset + numel());
    }

    /**
     * The backing float array itself, for kernels and optimizers that update parameters in place; only for a
     * contiguous float32 tensor that fills its array.
     */
    public float[] floatData() {
        if (dtype != DType.FLOAT32 || !ownsArray()) {
            throw new IllegalStateException("floatData: needs a contiguous float32 tensor that owns its storage, got "
                    + dtype + " " + Shapes.str(shape) + (ownsArray() ? "" : " (a view)"));
        }
        return f;
    }

    /** The backing double array itself; only for a contiguous float64 tensor that fills its array. */
    public double[] doubleData() {
        if (dtype != DType.FLOAT64 || !ownsArray()) {
            throw new IllegalStateException("doubleData: needs a contiguous float64 tensor that owns its storage, got "
                    + dtype + " " + Shapes.str(shape) + (ownsArray() ? "" : " (a view)"));
        }
        return d;
    }

    /** A name shown in graph drawings and error messages (parameters are named by their module). */
    public String name() {
        return name;
    }

    /** Sets the display name; returns this. */
    public Tensor name(String newName) {
        this.name = newName;
        return this;
    }

    @Override
    public String toString() {
        return Format.format(this);
    }

    // ---------------------------------------------------------------- autograd

    /** True when gradients flow to this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as a variable whose gradient {@link #backward()} accumulates in {@link #grad()}. */
    public Tensor requiresGrad(boolean value) {
        if (node != null && !value) {
            throw new IllegalStateException("requiresGrad(false) on a tensor computed by " + node.op
                    + ": use detach() to cut it from the graph");
        }
        if (value && node == null && !isLeafAllowed()) {
            throw new IllegalStateException("requiresGrad: only floating-point tensors can require gradients");
        }
        this.requiresGrad = value;
        return this;
    }

    private boolean isLeafAllowed() {
        return dtype == DType.FLOAT32 || dtype == DType.FLOAT64;
    }

    /** True for a tensor not produced by a recorded op (user-created, or a parameter). */
    public boolean isLeaf() {
        return node == null;
    }

    /** The accumulated gradient, or null before any backward reached this tensor. */
    public Tensor grad() {
        return grad;
    }

    /** Replaces the gradient (for optimizers and gradient clipping); null clears it. */
    public void setGrad(Tensor g) {
        if (g != null && (!Arrays.equals(g.shape, shape) || g.dtype != dtype)) {
            throw new IllegalArgumentException("setGrad: gradient " + g.dtype + " " + Shapes.str(g.shape)
                    + " does not match tensor " + dtype + " " + Shapes.str(shape));
        }
        this.grad = g;
    }

    /** Clears the accumulated gradient. */
    public void zeroGrad() {
        this.grad = null;
        this.spareGrad = null;
    }

    /**
     * Clears the accumulated gradient but keeps its buffer for the next backward pass to write the new gradient
     * into (a linear layer's weight gradient, today), saving an allocation per step: what PyTorch's
     * {@code zero_grad(set_to_none=False)} does. The old gradient tensor must not be used afterwards: the next
     * backward overwrites it. Optimizers call this in {@code zeroGrad()}.
     */
    public void recycleGrad() {
        Tensor g = grad;
        grad = null;
        spareGrad = g != null && g.node == null && !g.requiresGrad && g.ownsArray() ? g : null;
    }

    /** The buffer kept by {@link #recycleGrad}, handed over once (null if none). */
    Tensor takeSpareGrad() {
        Tensor s = spareGrad;
        spareGrad = null;
        return s;
    }

    /** The primitive that produced this tensor, or null for a leaf. */
    public Prim gradFn() {
        return node == null ? null : node.op;
    }

    /**
     * Whether the op that produced this tensor ends in a relu fused into it ({@link #linearRelu}, {@link #maxPool2dRelu},
     * a conv2d or conv2dMaxPool with relu): graph drawings show it as {@code LINEAR+RELU}.
     */
    public boolean gradFnFusedRelu() {
        return node != null && Derivatives.fusedRelu(node);
    }

    /** The inputs of the op that produced this tensor (empty for a leaf), for walking and drawing the graph. */
    public Tensor[] gradFnInputs() {
        return node == null ? new Tensor[0] : node.inputs.clone();
    }

    /** The same values, cut from the graph: no gradient flows through the result. Shares storage. */
    public Tensor detach() {
        Tensor t = view(shape, strides, offset);
        t.name = name;
        return t;
    }

    /** Backpropagates from a scalar: accumulates dthis/dx into {@code x.grad()} for every leaf x that requires it. */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward: output of shape " + Shapes.str(shape)
                    + " is not a scalar; pass the upstream gradient: backward(gradient)");
        }
        backward(onesLike(), false, false);
    }

    /** Backpropagates with an explicit upstream gradient of this tensor's shape. */
    public void backward(Tensor gradient) {
        backward(gradient, false, false);
    }

    /**
     * Backpropagates with an explicit upstream gradient. {@code retainGraph} keeps the graph for another backward;
     * {@code createGraph} records the backward computation itself, so gradients can be differentiated again.
     */
    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        Autograd.backward(this, gradient, retainGraph, createGraph);
    }

    /**
     * The gradients of {@code output} with respect to {@code inputs}, returned rather than accumulated in
     * {@code .grad} (PyTorch's {@code torch.autograd.grad}). With {@code createGraph} the results are themselves
     * differentiable, for second derivatives.
     */
    public static Tensor[] gradients(Tensor output, Tensor[] inputs, Tensor gradOutput, boolean retainGraph,
            boolean createGraph) {
        Tensor seed = gradOutput != null ? gradOutput : scalarSeed(output);
        return Autograd.gradients(output, seed, inputs, retainGraph, createGraph);
    }

    private static Tensor scalarSeed(Tensor output) {
        if (output.numel() != 1) {
            throw new IllegalStateException("gradients: output of shape " + Shapes.str(output.shape)
                    + " is not a scalar; pass gradOutput");
        }
        return output.onesLike();
    }

    /** True when an op on {@code inputs} is recorded: grad mode is on and some input requires a gradient. */
    static boolean recording(Tensor[] inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor in : inputs) {
            if (in.requiresGrad) {
                return true;
            }
        }
        return false;
    }

    /** Attaches a node for {@code op} to {@code out} when recording is on and any input requires a gradient. */
    static Tensor record(Tensor out, Prim op, Tensor[] inputs, int[] ints, double scalar, Tensor aux) {
        if (!GradMode.isEnabled()) {
            return out;
        }
        for (Tensor in : inputs) {
            if (in.requiresGrad) {
                out.node = new Node(op, inputs, ints, scalar, aux);
                out.requiresGrad = true;
                return out;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- in-place updates (optimizers)

    private void checkInPlace(String op) {
        if (requiresGrad && GradMode.isEnabled()) {
            throw new IllegalStateException(op + ": in-place update of a tensor that requires grad while recording;"
                    + " wrap it in GradMode.noGrad()");
        }
    }

    /** this += alpha · other, in place (other broadcasts to this shape). */
    public Tensor addInPlace(Tensor other, double alpha) {
        checkInPlace("addInPlace");
        Tensor src = other.dtype == dtype ? other : other.to(dtype);
        Elementwise.accumulate(this, src, alpha);
        return this;
    }

    /** this = other, in place (other broadcasts to this shape). */
    public Tensor copyFrom(Tensor other) {
        checkInPlace("copyFrom");
        Tensor src = other.dtype == dtype ? other : other.to(dtype);
        Elementwise.assign(this, src);
        return this;
    }

    /** Fills with one value, in place. */
    public Tensor fill(double value) {
        checkInPlace("fill");
        Elementwise.assign(this, scalar(dtype, value));
        return this;
    }

    // ---------------------------------------------------------------- views and movement

    /** The same elements in another shape; one size may be -1 (inferred). A view when the layout allows. */
    public Tensor reshape(int... newShape) {
        int[] target = inferShape(newShape);
        if (Arrays.equals(target, shape)) {
            return this;
        }
        Tensor src = isContiguous() ? this : contiguousOf(this);
        Tensor out = src.view(target, Shapes.contiguousStrides(target), src.offset);
        return record(out, Prim.RESHAPE, new Tensor[] {this}, shape.clone(), 0, null);
    }

    /** Same as {@link #reshape}, as PyTorch's {@code view}. */
    public Tensor view(int... newShape) {
        return reshape(newShape);
    }

    private int[] inferShape(int[] newShape) {
        int[] target = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(newShape));
                }
                infer = i;
            } else if (target[i] < 0) {
                throw new IllegalArgumentException("reshape: negative size in " + Arrays.toString(newShape));
            } else {
                known *= target[i];
            }
        }
        int n = numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException("reshape: cannot reshape " + Shapes.str(shape) + " (" + n
                        + " elements) into " + Arrays.toString(newShape));
            }
            target[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException("reshape: cannot reshape " + Shapes.str(shape) + " (" + n
                    + " elements) into " + Arrays.toString(newShape) + " (" + known + " elements)");
        }
        return target;
    }

    /** Flattens everything into one dimension. */
    public Tensor flatten() {
        return reshape(numel());
    }

    /** Flattens dimensions {@code start..end} (inclusive) into one, like PyTorch's {@code flatten}. */
    public Tensor flatten(int start, int end) {
        if (shape.length == 0) {
            return reshape(1);
        }
        int s = Shapes.dim("flatten", start, shape.length);
        int e = Shapes.dim("flatten", end, shape.length);
        if (s > e) {
            throw new IllegalArgumentException("flatten: start dimension " + start + " comes after end " + end);
        }
        int[] out = new int[shape.length - (e - s)];
        int k = 0;
        for (int i = 0; i < s; i++) {
            out[k++] = shape[i];
        }
        int merged = 1;
        for (int i = s; i <= e; i++) {
            merged *= shape[i];
        }
        out[k++] = merged;
        for (int i = e + 1; i < shape.length; i++) {
            out[k++] = shape[i];
        }
        return reshape(out);
    }

    /** Reorders the dimensions: output dimension i is input dimension {@code order[i]}. A view. */
    public Tensor permute(int... order) {
        if (order.length != shape.length) {
            throw new IllegalArgumentException("permute: order " + Arrays.toString(order) + " has " + order.length
                    + " dimensions, tensor " + Shapes.str(shape) + " has " + shape.length);
        }
        boolean[] seen = new boolean[order.length];
        int[] norm = new int[order.length];
        int[] newShape = new int[order.length];
        int[] newStrides = new int[order.length];
        boolean identity = true;
        for (int i = 0; i < order.length; i++) {
            int dimI = Shapes.dim("permute", order[i], shape.length);
            if (seen[dimI]) {
                throw new IllegalArgumentException("permute: dimension " + order[i] + " repeats in "
                        + Arrays.toString(order));
            }
            seen[dimI] = true;
            norm[i] = dimI;
            identity &= dimI == i;
            newShape[i] = shape[dimI];
            newStrides[i] = strides[dimI];
        }
        if (identity) {
            return this;
        }
        return record(view(newShape, newStrides, offset), Prim.PERMUTE, new Tensor[] {this}, norm, 0, null);
    }

    /** Swaps two dimensions. A view. */
    public Tensor transpose(int dim0, int dim1) {
        int a = Shapes.dim("transpose", dim0, shape.length);
        int b = Shapes.dim("transpose", dim1, shape.length);
        int[] order = new int[shape.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** The transpose of a matrix. */
    public Tensor t() {
        if (shape.length != 2) {
            throw new IllegalArgumentException("t: needs a 2-d tensor, got shape " + Shapes.str(shape)
                    + "; use transpose(dim0, dim1) or mT()");
        }
        return transpose(0, 1);
    }

    /** Swaps the last two dimensions (a batch of matrix transposes). */
    public Tensor mT() {
        if (shape.length < 2) {
            throw new IllegalArgumentException("mT: needs at least 2 dimensions, got shape " + Shapes.str(shape));
        }
        return transpose(-2, -1);
    }

    /** Removes every dimension of size 1. */
    public Tensor squeeze() {
        boolean[] drop = new boolean[shape.length];
        for (int i = 0; i < shape.length; i++) {
            drop[i] = shape[i] == 1;
        }
        return dropDimensions(drop);
    }

    /** Removes one dimension, which must have size 1. A view, whatever the strides. */
    public Tensor squeeze(int dim) {
        int k = Shapes.dim("squeeze", dim, shape.length);
        if (shape[k] != 1) {
            throw new IllegalArgumentException("squeeze: dimension " + dim + " of shape " + Shapes.str(shape)
                    + " has size " + shape[k] + ", not 1");
        }
        boolean[] drop = new boolean[shape.length];
        drop[k] = true;
        return dropDimensions(drop);
    }

    /** The view without the size-1 dimensions marked in {@code drop}: no copy, even of a strided tensor. */
    private Tensor dropDimensions(boolean[] drop) {
        int kept = 0;
        for (boolean d : drop) {
            kept += d ? 0 : 1;
        }
        if (kept == shape.length) {
            return this;
        }
        int[] newShape = new int[kept];
        int[] newStrides = new int[kept];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (!drop[i]) {
                newShape[j] = shape[i];
                newStrides[j++] = strides[i];
            }
        }
        return record(view(newShape, newStrides, offset), Prim.RESHAPE, new Tensor[] {this}, shape.clone(), 0, null);
    }

    /** Inserts a dimension of size 1 at {@code dim} (which may equal the rank, or count from the end). A view. */
    public Tensor unsqueeze(int dim) {
        int k = Shapes.dim("unsqueeze", dim, shape.length + 1);
        int[] newShape = new int[shape.length + 1];
        int[] newStrides = new int[shape.length + 1];
        for (int i = 0, j = 0; i < newShape.length; i++) {
            if (i == k) {
                newShape[i] = 1;
                newStrides[i] = k < shape.length ? strides[k] * shape[k] : 1;
            } else {
                newShape[i] = shape[j];
                newStrides[i] = strides[j++];
            }
        }
        return record(view(newShape, newStrides, offset), Prim.RESHAPE, new Tensor[] {this}, shape.clone(), 0, null);
    }

    /** Broadcasts to a larger shape without copying (size-1 dimensions repeat; -1 keeps a size). A view. */
    public Tensor expand(int... newShape) {
        if (newShape.length < shape.length) {
            throw new IllegalArgumentException("expand: cannot expand shape " + Shapes.str(shape) + " to "
                    + Arrays.toString(newShape) + " of lower rank");
        }
        int lead = newShape.length - shape.length;
        int[] target = newShape.clone();
        int[] newStrides = new int[target.length];
        for (int i = 0; i < target.length; i++) {
            int src = i - lead;
            if (src < 0) {
                if (target[i] < 0) {
                    throw new IllegalArgumentException("expand: -1 is not allowed for new leading dimension " + i);
                }
                newStrides[i] = 0;
                continue;
            }
            if (target[i] == -1) {
                target[i] = shape[src];
            }
            if (shape[src] == target[i]) {
                newStrides[i] = strides[src];
            } else if (shape[src] == 1) {
                newStrides[i] = 0;
            } else {
                throw new IllegalArgumentException("expand: cannot expand shape " + Shapes.str(shape) + " to "
                        + Arrays.toString(newShape) + " (dimension " + i + ": " + shape[src] + " vs " + target[i] + ")");
            }
        }
        if (Arrays.equals(target, shape)) {
            return this;
        }
        return record(view(target, newStrides, offset), Prim.EXPAND, new Tensor[] {this}, shape.clone(), 0, null);
    }

    /** Broadcasts to another tensor's shape. */
    public Tensor expandAs(Tensor other) {
        return expand(other.shape);
    }

    /** Elements {@code start .. start+length-1} along {@code dim}. A view. */
    public Tensor narrow(int dim, int start, int length) {
        int k = Shapes.dim("narrow", dim, shape.length);
        if (start < 0 || length < 0 || start + length > shape[k]) {
            throw new IndexOutOfBoundsException("narrow: range [" + start + ", " + (start + length)
                    + ") is out of bounds for dimension " + dim + " of size " + shape[k] + " (shape " + Shapes.str(shape)
                    + ")");
        }
        if (start == 0 && length == shape[k]) {
            return this;
        }
        int[] newShape = shape.clone();
        newShape[k] = length;
        Tensor out = view(newShape, strides, offset + start * strides[k]);
        return record(out, Prim.NARROW, new Tensor[] {this}, new int[] {k, start, length, shape[k]}, 0, null);
    }

    /** Elements {@code [start, end)} along {@code dim}; negative bounds count from the end, as in Python. */
    public Tensor slice(int dim, int start, int end) {
        int k = Shapes.dim("slice", dim, shape.length);
        int n = shape[k];
        int s = start < 0 ? start + n : start;
        int e = end < 0 ? end + n : end;
        if (s < 0 || e > n || s > e) {
            throw new IndexOutOfBoundsException("slice: [" + start + ", " + end + ") is out of bounds for dimension "
                    + dim + " of size " + n + " (shape " + Shapes.str(shape) + ")");
        }
        return narrow(k, s, e - s);
    }

    /** The sub-tensor at {@code index} along {@code dim}, with that dimension removed. */
    public Tensor select(int dim, int index) {
        int k = Shapes.dim("select", dim, shape.length);
        int i = index < 0 ? index + shape[k] : index;
        if (i < 0 || i >= shape[k]) {
            throw new IndexOutOfBoundsException("select: index " + index + " is out of bounds for dimension " + dim
                    + " of size " + shape[k]);
        }
        return narrow(k, i, 1).squeeze(k);
    }

    /** Zeros added before and after along {@code dim}. */
    public Tensor pad(int dim, int before, int after) {
        int k = Shapes.dim("pad", dim, shape.length);
        if (before < 0 || after < 0) {
            throw new IllegalArgumentException("pad: negative padding " + before + ", " + after);
        }
        if (before == 0 && after == 0) {
            return this;
        }
        int[] newShape = shape.clone();
        newShape[k] += before + after;
        Tensor out = empty(dtype, newShape);
        Elementwise.assign(out.narrowView(k, before, shape[k]), this);
        return record(out, Prim.PAD, new Tensor[] {this}, new int[] {k, before, shape[k]}, 0, null);
    }

    /** A narrow view without recording (for kernels writing into part of an output). */
    Tensor narrowView(int k, int start, int length) {
        int[] newShape = shape.clone();
        newShape[k] = length;
        return view(newShape, strides, offset + start * strides[k]);
    }

    /** Joins tensors of equal shapes (except along {@code dim}) along an existing dimension. */
    public static Tensor concat(int dim, Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concat: no tensors given");
        }
        Tensor first = parts[0];
        int k = Shapes.dim("concat", dim, first.shape.length);
        int[] sizes = new int[parts.length + 1];
        sizes[0] = k;
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            Tensor p = parts[i];
            checkSameDtype("concat", first, p);
            if (p.shape.length != first.shape.length) {
                throw new IllegalArgumentException("concat: tensor " + i + " has shape " + Shapes.str(p.shape)
                        + ", tensor 0 has " + Shapes.str(first.shape) + " (ranks differ)");
            }
            for (int j = 0; j < p.shape.length; j++) {
                if (j != k && p.shape[j] != first.shape[j]) {
                    throw new IllegalArgumentException("concat: along dimension " + dim + " tensor " + i + " has shape "
                            + Shapes.str(p.shape) + ", tensor 0 has " + Shapes.str(first.shape));
                }
            }
            sizes[i + 1] = p.shape[k];
            total += p.shape[k];
        }
        int[] outShape = first.shape.clone();
        outShape[k] = total;
        Tensor out = empty(first.dtype, outShape);
        int at = 0;
        for (Tensor p : parts) {
            Elementwise.assign(out.narrowView(k, at, p.shape[k]), p);
            at += p.shape[k];
        }
        return record(out, Prim.CONCAT, parts.clone(), sizes, 0, null);
    }

    /** Joins tensors of equal shape along a new dimension. */
    public static Tensor stack(int dim, Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("stack: no tensors given");
        }
        int k = Shapes.dim("stack", dim, parts[0].shape.length + 1);
        Tensor[] lifted = new Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (!Arrays.equals(parts[i].shape, parts[0].shape)) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shapes.str(parts[i].shape)
                        + ", tensor 0 has " + Shapes.str(parts[0].shape));
            }
            lifted[i] = parts[i].unsqueeze(k);
        }
        return concat(k, lifted);
    }

    /** The slices at {@code indices} along {@code dim}, in that order (indices may repeat). */
    public Tensor indexSelect(int dim, int... indices) {
        int k = Shapes.dim("indexSelect", dim, shape.length);
        checkIndices("indexSelect", indices, shape[k], dim);
        int[] outShape = shape.clone();
        outShape[k] = indices.length;
        Tensor out = empty(dtype, outShape);
        for (int i = 0; i < indices.length; i++) {
            Elementwise.assign(out.narrowView(k, i, 1), narrowView(k, indices[i], 1));
        }
        int[] ints = new int[indices.length + 1];
        ints[0] = k;
        System.arraycopy(indices, 0, ints, 1, indices.length);
        return record(out, Prim.INDEX_SELECT, new Tensor[] {this}, ints, 0, null);
    }

    /** A copy of this tensor with {@code source}'s slices added at {@code indices} along {@code dim}. */
    public Tensor indexAdd(int dim, int[] indices, Tensor source) {
        int k = Shapes.dim("indexAdd", dim, shape.length);
        checkSameDtype("indexAdd", this, source);
        checkIndices("indexAdd", indices, shape[k], dim);
        int[] expected = shape.clone();
        expected[k] = indices.length;
        if (!Arrays.equals(expected, source.shape)) {
            throw new IllegalArgumentException("indexAdd: source has shape " + Shapes.str(source.shape) + ", expected "
                    + Shapes.str(expected) + " for " + indices.length + " indices into " + Shapes.str(shape));
        }
        Tensor out = contiguousCopy();
        for (int i = 0; i < indices.length; i++) {
            Elementwise.accumulate(out.narrowView(k, indices[i], 1), source.narrowView(k, i, 1), 1);
        }
        int[] ints = new int[indices.length + 1];
        ints[0] = k;
        System.arraycopy(indices, 0, ints, 1, indices.length);
        return record(out, Prim.INDEX_ADD, new Tensor[] {this, source}, ints, 0, null);
    }

    private static void checkIndices(String op, int[] indices, int size, int dim) {
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= size) {
                throw new IndexOutOfBoundsException(op + ": index " + indices[i] + " at position " + i
                        + " is out of range for dimension " + dim + " of size " + size);
            }
        }
    }

    /** {@code out[i][j] = this[i][index[i][j]]} for dim 1 (generally: index replaces the position along dim). */
    public Tensor gather(int dim, Tensor index) {
        int k = Shapes.dim("gather", dim, shape.length);
        Tensor out = Indexing.gather(this, k, index);
        return record(out, Prim.GATHER, new Tensor[] {this}, new int[] {k}, 0, index);
    }

    /** A copy of this tensor with {@code source} added at the positions {@code index} names along {@code dim}. */
    public Tensor scatterAdd(int dim, Tensor index, Tensor source) {
        int k = Shapes.dim("scatterAdd", dim, shape.length);
        checkSameDtype("scatterAdd", this, source);
        Tensor out = Indexing.scatterAdd(this, k, index, source);
        return record(out, Prim.SCATTER_ADD, new Tensor[] {this, source}, new int[] {k}, 0, index);
    }

    /** A contiguous tensor with these values (this one when already contiguous). */
    public Tensor contiguous() {
        if (isContiguous()) {
            return this;
        }
        Tensor out = contiguousOf(this);
        return record(out, Prim.RESHAPE, new Tensor[] {this}, shape.clone(), 0, null);
    }

    /** A contiguous copy of the values, never sharing storage, not recorded. */
    Tensor contiguousCopy() {
        Tensor out = empty(dtype, shape.clone());
        Elementwise.assign(out, this);
        return out;
    }

    /** The values of {@code t} as a contiguous tensor: {@code t} itself if it already is, else a copy. */
    static Tensor contiguousOf(Tensor t) {
        if (t.isContiguous()) {
            return t;
        }
        Tensor out = empty(t.dtype, t.shape.clone());
        if (t.f != null) {
            Strided.gather(t.f, t.offset, t.strides, t.shape, out.f);
        } else {
            Strided.gather(t.d, t.offset, t.strides, t.shape, out.d);
        }
        return out;
    }

    /** The values converted to another element type. */
    public Tensor to(DType target) {
        if (target == dtype) {
            return this;
        }
        Tensor out = empty(target, shape.clone());
        Tensor src = contiguousOf(this);
        int n = numel();
        if (target == DType.FLOAT64) {
            for (int i = 0; i < n; i++) {
                out.d[i] = src.f[src.offset + i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                out.f[i] = (float) src.d[src.offset + i];
            }
        }
        return record(out, Prim.CAST, new Tensor[] {this}, null, 0, null);
    }

    static void checkSameDtype(String op, Tensor a, Tensor b) {
        if (a.dtype != b.dtype) {
            throw new IllegalArgumentException(op + ": dtypes differ: " + a.dtype + " " + Shapes.str(a.shape) + " and "
                    + b.dtype + " " + Shapes.str(b.shape) + "; convert one with to(DType)");
        }
    }

    // ---------------------------------------------------------------- arithmetic

    private Tensor constant(double value) {
        return scalar(dtype, value);
    }

    /** this + other, broadcasting. */
    public Tensor add(Tensor other) {
        return Elementwise.binary(Prim.ADD, this, other);
    }

    /** this + value. */
    public Tensor add(double value) {
        return add(constant(value));
    }

    /** this − other, broadcasting. */
    public Tensor sub(Tensor other) {
        return Elementwise.binary(Prim.SUB, this, other);
    }

    /** this − value. */
    public Tensor sub(double value) {
        return sub(constant(value));
    }

    /** this · other element-wise, broadcasting. */
    public Tensor mul(Tensor other) {
        return Elementwise.binary(Prim.MUL, this, other);
    }

    /** this · value. */
    public Tensor mul(double value) {
        return mul(constant(value));
    }

    /** this / other element-wise, broadcasting. */
    public Tensor div(Tensor other) {
        return Elementwise.binary(Prim.DIV, this, other);
    }

    /** this / value. */
    public Tensor div(double value) {
        return div(constant(value));
    }

    /** value − this. */
    public Tensor rsub(double value) {
        return constant(value).sub(this);
    }

    /** −this. */
    public Tensor neg() {
        return Elementwise.unary(Prim.NEG, this);
    }

    /** this raised to other, element-wise, broadcasting. */
    public Tensor pow(Tensor exponent) {
        return Elementwise.binary(Prim.POW, this, exponent);
    }

    /** this raised to a constant power. */
    public Tensor pow(double exponent) {
        return pow(constant(exponent));
    }

    /** this². */
    public Tensor square() {
        return mul(this);
    }

    /** e^this. */
    public Tensor exp() {
        return Elementwise.unary(Prim.EXP, this);
    }

    /** Natural logarithm. */
    public Tensor log() {
        return Elementwise.unary(Prim.LOG, this);
    }

    /** Square root. */
    public Tensor sqrt() {
        return Elementwise.unary(Prim.SQRT, this);
    }

    /** Absolute value (the gradient at 0 is 0, as in PyTorch). */
    public Tensor abs() {
        return Elementwise.unary(Prim.ABS, this);
    }

    /** −1, 0 or 1 by sign; not differentiable (no gradient flows). */
    public Tensor sign() {
        return Elementwise.compare(Elementwise.Cmp.SIGN, this, this);
    }

    /** Element-wise maximum, broadcasting; at ties the gradient is split evenly. */
    public Tensor maximum(Tensor other) {
        return Elementwise.binary(Prim.MAXIMUM, this, other);
    }

    /** Element-wise minimum, broadcasting; at ties the gradient is split evenly. */
    public Tensor minimum(Tensor other) {
        return Elementwise.binary(Prim.MINIMUM, this, other);
    }

    /** Limits the values to [min, max]. */
    public Tensor clamp(double min, double max) {
        if (min > max) {
            throw new IllegalArgumentException("clamp: min " + min + " exceeds max " + max);
        }
        return maximum(constant(min)).minimum(constant(max));
    }

    /** Picks {@code a} where {@code condition} is non-zero, else {@code b}, broadcasting all three. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return Elementwise.where(condition, a, b);
    }

    /** 1 where this == other, else 0 (a mask of this dtype, not differentiable). */
    public Tensor eq(Tensor other) {
        return Elementwise.compare(Elementwise.Cmp.EQ, this, other);
    }

    /** 1 where this == value, else 0. */
    public Tensor eq(double value) {
        return eq(constant(value));
    }

    /** 1 where this != other, else 0. */
    public Tensor ne(Tensor other) {
        return Elementwise.compare(Elementwise.Cmp.NE, this, other);
    }

    /** 1 where this &gt; other, else 0. */
    public Tensor gt(Tensor other) {
        return Elementwise.compare(Elementwise.Cmp.GT, this, other);
    }

    /** 1 where this &gt; value, else 0. */
    public Tensor gt(double value) {
        return gt(constant(value));
    }

    /** 1 where this ≥ other, else 0. */
    public Tensor ge(Tensor other) {
        return Elementwise.compare(Elementwise.Cmp.GE, this, other);
    }

    /** 1 where this ≥ value, else 0. */
    public Tensor ge(double value) {
        return ge(constant(value));
    }

    /** 1 where this &lt; other, else 0. */
    public Tensor lt(Tensor other) {
        return Elementwise.compare(Elementwise.Cmp.LT, this, other);
    }

    /** 1 where this &lt; value, else 0. */
    public Tensor lt(double value) {
        return lt(constant(value));
    }

    /** 1 where this ≤ other, else 0. */
    public Tensor le(Tensor other) {
        return Elementwise.compare(Elementwise.Cmp.LE, this, other);
    }

    /** 1 where this ≤ value, else 0. */
    public Tensor le(double value) {
        return le(constant(value));
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements (a scalar). */
    public Tensor sum() {
        return Reduce.sum(this, new int[0], false);
    }

    /** Sum over one dimension. */
    public Tensor sum(int dim, boolean keepDim) {
        return Reduce.sum(this, new int[] {dim}, keepDim);
    }

    /** Sum over several dimensions (all when empty). */
    public Tensor sum(int[] dims, boolean keepDim) {
        return Reduce.sum(this, dims, keepDim);
    }

    /** Mean of all elements. */
    public Tensor mean() {
        return mean(new int[0], false);
    }

    /** Mean over one dimension. */
    public Tensor mean(int dim, boolean keepDim) {
        return mean(new int[] {dim}, keepDim);
    }

    /** Mean over several dimensions (all when empty). */
    public Tensor mean(int[] dims, boolean keepDim) {
        return sum(dims, keepDim).div(Reduce.count(this, dims));
    }

    /** Maximum of all elements. */
    public Tensor max() {
        return Reduce.max(this, new int[0], false);
    }

    /** Maximum over one dimension; the gradient is split evenly among tied maxima. */
    public Tensor max(int dim, boolean keepDim) {
        return Reduce.max(this, new int[] {dim}, keepDim);
    }

    /** Maximum over several dimensions (all when empty). */
    public Tensor max(int[] dims, boolean keepDim) {
        return Reduce.max(this, dims, keepDim);
    }

    /** Minimum of all elements. */
    public Tensor min() {
        return neg().max().neg();
    }

    /** Minimum over one dimension. */
    public Tensor min(int dim, boolean keepDim) {
        return neg().max(dim, keepDim).neg();
    }

    /** Minimum over several dimensions (all when empty). */
    public Tensor min(int[] dims, boolean keepDim) {
        return neg().max(dims, keepDim).neg();
    }

    /** Index of the maximum over all elements (flattened), as a scalar; the first one wins ties. */
    public Tensor argmax() {
        return Reduce.argmax(reshape(-1), 0, false);
    }

    /** Indices of the maxima along {@code dim} (same dtype, integer values); the first one wins ties. */
    public Tensor argmax(int dim, boolean keepDim) {
        return Reduce.argmax(this, Shapes.dim("argmax", dim, shape.length), keepDim);
    }

    /** Indices of the minima along {@code dim}; the first one wins ties. */
    public Tensor argmin(int dim, boolean keepDim) {
        return Reduce.argmax(neg(), Shapes.dim("argmin", dim, shape.length), keepDim);
    }

    /**
     * Variance over dimensions with Bessel's {@code correction} (1 = unbiased, PyTorch's default; 0 = population,
     * Keras's).
     */
    public Tensor var(int[] dims, int correction, boolean keepDim) {
        int n = Reduce.count(this, dims);
        if (n - correction <= 0) {
            throw new IllegalArgumentException("var: " + n + " elements with correction " + correction
                    + " leave no degrees of freedom");
        }
        Tensor centered = sub(mean(dims, true));
        return centered.square().sum(dims, keepDim).div(n - correction);
    }

    /** Unbiased variance over one dimension (PyTorch's default). */
    public Tensor var(int dim, boolean keepDim) {
        return var(new int[] {dim}, 1, keepDim);
    }

    /** log Σ exp over a dimension, computed stably by subtracting the maximum first. */
    public Tensor logsumexp(int dim, boolean keepDim) {
        Tensor m = max(dim, true).detach();
        Tensor out = sub(m).exp().sum(dim, true).log().add(m);
        return keepDim ? out : out.squeeze(dim);
    }

    // ---------------------------------------------------------------- linear algebra

    /**
     * Matrix product with PyTorch's rules: 2-d × 2-d, batched with broadcast batch dimensions, and 1-d operands
     * treated as a row (left) or column (right) vector whose dimension is then removed.
     */
    public Tensor matmul(Tensor other) {
        if (shape.length == 0 || other.shape.length == 0) {
            throw new IllegalArgumentException("matmul: both operands need at least one dimension, got "
                    + Shapes.str(shape) + " x " + Shapes.str(other.shape));
        }
        if (shape.length == 1 && other.shape.length == 1) {
            return unsqueeze(0).matmul(other).squeeze(0);
        }
        if (shape.length == 1) {
            return unsqueeze(0).matmul(other).squeeze(-2);
        }
        if (other.shape.length == 1) {
            return matmul(other.unsqueeze(1)).squeeze(-1);
        }
        checkSameDtype("matmul", this, other);
        Tensor out = MatMul.forward(this, other);
        return record(out, Prim.MATMUL, new Tensor[] {this, other}, null, 0, null);
    }

    /**
     * The affine map of a dense layer, {@code this · weightᵀ + bias}, for inputs {@code [..., in]}, a weight
     * {@code [out, in]} (PyTorch's layout) and an optional bias {@code [out]}: one fused op whose weight gradient
     * gᵀ·x comes out in the weight's own layout, with no transposed copy.
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        checkLinear(weight, bias);
        return linear(this, weight, bias, transposedView(weight), false);
    }

    /**
     * {@code relu(this·weightᵀ + bias)} as one op: in float32 the bias and the relu are applied by the matrix
     * product to each block of its output while it is in the cache, and the backward pass takes relu's mask from
     * the output. Same values and gradients as {@code linear(weight, bias).relu()}, bit for bit.
     */
    public Tensor linearRelu(Tensor weight, Tensor bias) {
        checkLinear(weight, bias);
        return linear(this, weight, bias, transposedView(weight), true);
    }

    private static Tensor transposedView(Tensor weight) {
        return weight.view(new int[] {weight.shape[1], weight.shape[0]},
                new int[] {weight.strides[1], weight.strides[0]}, weight.offset);
    }

    /** Checks the shapes and types of {@link #linear}'s weight and bias against this input. */
    void checkLinear(Tensor weight, Tensor bias) {
        if (weight.dim() != 2 || dim() == 0 || size(-1) != weight.size(1)) {
            throw new IllegalArgumentException("linear: input " + Shapes.str(shape) + " and weight "
                    + Shapes.str(weight.shape) + " [out, in]: the input must end in the weight's in-size");
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != weight.size(0))) {
            throw new IllegalArgumentException("linear: bias " + Shapes.str(bias.shape) + " must be ["
                    + weight.size(0) + "] for weight " + Shapes.str(weight.shape));
        }
        checkSameDtype("linear", this, weight);
        if (bias != null) {
            checkSameDtype("linear", this, bias);
        }
    }

    /**
     * {@code x·weightᵀ + bias} computed as {@code x·product}, where {@code product} holds weightᵀ ({@code [in, out]}):
     * a transposed view of the weight, or a contiguous copy ({@link PreparedLinear}); recorded as LINEAR on the weight,
     * with ints {@code {1}} when relu follows (fused: its backward masks the gradient by the output).
     */
    static Tensor linear(Tensor x, Tensor weight, Tensor bias, Tensor product, boolean relu) {
        // one [rows, in] x [in, out] product whatever the rank, not one per leading index (views, not recorded)
        int in = x.size(-1);
        int rowCount = Shapes.size(Arrays.copyOf(x.shape, x.shape.length - 1));
        Tensor rows = x;
        if (x.dim() != 2) {
            Tensor src = contiguousOf(x);
            rows = src.view(new int[] {rowCount, in}, new int[] {in, 1}, src.offset);
        }
        // the bias and relu in the GEMM's epilogue (float32, with a bias that owns its array), else after it
        boolean epilogue = rows.f != null && (relu || bias != null) && (bias == null || bias.ownsArray());
        Tensor flat = MatMul.forward(rows, product, null,
                epilogue ? new dev.nabla.kernel.Epilogue(bias == null ? null : bias.f, relu) : null);
        int[] outShape = x.shape.clone();
        outShape[outShape.length - 1] = weight.size(0);
        Tensor out = flat.view(outShape, Shapes.contiguousStrides(outShape), 0);
        if (!epilogue) {
            if (bias != null) {
                Elementwise.accumulate(out, bias, 1);
            }
            if (relu) {
                Elementwise.reluInPlace(out);
            }
        }
        Tensor[] inputs = bias == null ? new Tensor[] {x, weight} : new Tensor[] {x, weight, bias};
        return record(out, Prim.LINEAR, inputs, relu ? new int[] {1} : null, 0, null);
    }

    // ---------------------------------------------------------------- recurrent cells (forward in RecurrentCells)

    /**
     * One LSTM time step after its two matrix products, fused (PyTorch's {@code _thnn_fused_lstm_cell}): this is
     * the input gates {@code x·W_ihᵀ + b_ih} {@code [N, 4H]}, {@code hiddenGates} is {@code h·W_hhᵀ + b_hh}
     * {@code [N, 4H]}, {@code c} the previous cell {@code [N, H]}. With gates i, f, g, o in that order,
     * i, f, o = σ(x + h), g = tanh(x + h), c' = f·c + i·g, h' = o·tanh(c'); returns {@code [h' | c']} as
     * {@code [N, 2H]}. One graph node instead of about twelve, with a one-pass backward.
     */
    public Tensor lstmCell(Tensor hiddenGates, Tensor c) {
        return RecurrentCells.lstmCell(this, hiddenGates, c);
    }

    /**
     * One GRU time step after its two matrix products, fused (PyTorch's {@code _thnn_fused_gru_cell}): this is the
     * input gates {@code x·W_ihᵀ + b_ih} {@code [N, 3H]}, {@code hiddenGates} is {@code h·W_hhᵀ + b_hh}
     * {@code [N, 3H]}, {@code h} the previous state {@code [N, H]}. With gates r, z, n in that order,
     * r, z = σ(x + hg), n = tanh(x_n + r·hg_n), h' = (1 − z)·n + z·h; returns h' {@code [N, H]}.
     */
    public Tensor gruCell(Tensor hiddenGates, Tensor h) {
        return RecurrentCells.gruCell(this, hiddenGates, h);
    }

    // ---------------------------------------------------------------- convolution and pooling (forward in Conv)

    /**
     * 2-d convolution (cross-correlation, as in PyTorch) of this {@code [N, C, H, W]} input with a weight
     * {@code [O, C/groups, kh, kw]} and an optional bias {@code [O]}; stride, padding and dilation take one value
     * (both dimensions) or two (height, width). The output is {@code [N, O, OH, OW]} with
     * OH = ⌊(H + 2·padding − dilation·(kh − 1) − 1) / stride⌋ + 1.
     */
    public Tensor conv2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return Conv.conv2d(this, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * {@code conv2d(...).relu()} as one op, for a convolution followed by a ReLU (a {@code Conv2d} layer with that
     * activation): the same values and gradients, with the ReLU applied as the convolution writes its output rather
     * than in two more passes over it.
     */
    public Tensor conv2dRelu(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return Conv.conv2d(this, weight, bias, stride, padding, dilation, groups, true);
    }

    /** 2-d convolution with one stride and padding for both dimensions, no dilation, one group. */
    public Tensor conv2d(Tensor weight, Tensor bias, int stride, int padding) {
        return Conv.conv2d(this, weight, bias, new int[] {stride}, new int[] {padding}, new int[] {1}, 1);
    }

    /** 1-d convolution of this {@code [N, C, L]} input with a weight {@code [O, C/groups, k]} (a 2-d one of height 1). */
    public Tensor conv1d(Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return Conv.conv1d(this, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * The transposed convolution (PyTorch's {@code conv_transpose2d}) of this {@code [N, Cin, H, W]} input with a
     * weight {@code [Cin, Cout/groups, kh, kw]}: the adjoint of {@code conv2d} with the same settings, so
     * OH = (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1.
     */
    public Tensor convTranspose2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding,
            int[] dilation, int groups) {
        return Conv.convTranspose2d(this, weight, bias, stride, padding, outputPadding, dilation, groups);
    }

    /** Max pooling of {@code [N, C, H, W]}; stride null means the kernel; padding counts as −∞. Ties: the first. */
    public Tensor maxPool2d(int[] kernel, int[] stride, int[] padding) {
        return Conv.maxPool2d(this, kernel, stride, padding);
    }

    /**
     * {@code maxPool2d(kernel, stride, padding).relu()} as one op, which a convolution with a relu followed by max
     * pooling can use instead of relu before the pooling: the same values and gradients, with the relu
     * over the pooled values only and its mask applied as the pooling's gradient is scattered.
     */
    public Tensor maxPool2dRelu(int[] kernel, int[] stride, int[] padding) {
        return Conv.maxPool2d(this, kernel, stride, padding, true);
    }

    /**
     * {@code conv2d(weight, bias, stride, padding, dilation, groups)}, then relu when {@code relu}, then
     * {@code maxPool2d(poolKernel, poolStride, poolPadding)}, as one op with the same values and gradients: the
     * convolution's output is pooled block by block while it is in the cache and never written out whole, and the
     * relu covers the pooled values only. {@link dev.nabla.nn.Sequential} runs a Conv2d with a relu followed by a
     * MaxPool2d this way.
     */
    public Tensor conv2dMaxPool(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups,
            boolean relu, int[] poolKernel, int[] poolStride, int[] poolPadding) {
        return Conv.conv2dMaxPool(this, weight, bias, stride, padding, dilation, groups, relu, poolKernel, poolStride,
                poolPadding);
    }

    /** Max pooling over {@code kernel×kernel} windows with stride {@code kernel}. */
    public Tensor maxPool2d(int kernel) {
        return Conv.maxPool2d(this, new int[] {kernel}, null, new int[] {0});
    }

    /** Average pooling of {@code [N, C, H, W]}; stride null means the kernel; zero padding counts in the average. */
    public Tensor avgPool2d(int[] kernel, int[] stride, int[] padding) {
        return Conv.avgPool2d(this, kernel, stride, padding);
    }

    /** Average pooling over {@code kernel×kernel} windows with stride {@code kernel}. */
    public Tensor avgPool2d(int kernel) {
        return Conv.avgPool2d(this, new int[] {kernel}, null, new int[] {0});
    }

    // ---------------------------------------------------------------- activations

    /** max(x, 0). */
    public Tensor relu() {
        return Elementwise.unary(Prim.RELU, this);
    }

    /** x for x &gt; 0, else slope·x. */
    public Tensor leakyRelu(double slope) {
        return where(gt(0), this, mul(slope));
    }

    /** 1 / (1 + e^−x), computed without overflow. */
    public Tensor sigmoid() {
        return Elementwise.unary(Prim.SIGMOID, this);
    }

    /** Hyperbolic tangent. */
    public Tensor tanh() {
        return Elementwise.unary(Prim.TANH, this);
    }

    /**
     * log(1 + e^x), computed stably as m + log(e^−m + e^(x−m)) with m = max(x, 0) held constant: the value does
     * not depend on m, so the gradient is exactly σ(x), also at 0. m is capped at the largest finite value, so that
     * softplus(+∞) is +∞ (as PyTorch's) rather than the NaN of ∞ − ∞.
     */
    public Tensor softplus() {
        double largest = dtype == DType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE;
        Tensor m = relu().clamp(0, largest).detach();
        return m.add(m.neg().exp().add(sub(m).exp()).log());
    }

    /** GELU with the tanh approximation (PyTorch's {@code approximate='tanh'}): ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
    public Tensor gelu() {
        double c = Math.sqrt(2 / Math.PI);
        Tensor inner = add(pow(3).mul(0.044715)).mul(c);
        return mul(0.5).mul(inner.tanh().add(1));
    }

    /** log softmax along {@code dim}: x − logsumexp(x), with its own fused derivative. */
    public Tensor logSoftmax(int dim) {
        int k = Shapes.dim("logSoftmax", dim, shape.length);
        Tensor out;
        if (f != null && k == shape.length - 1 && isContiguous()) {
            // rows of float32: one fused pass per row (max, exp, sum, log, subtract)
            out = empty(dtype, shape.clone());
            int cols = shape[k];
            Fused.logSoftmaxRows(f, offset, cols == 0 ? 0 : numel() / cols, cols, out.f);
        } else {
            try (var scope = GradMode.noGrad()) {
                out = sub(logsumexp(k, true));
            }
        }
        return record(out, Prim.LOG_SOFTMAX, new Tensor[] {this}, new int[] {k}, 0, null);
    }

    /** softmax along {@code dim}: exp(logSoftmax(x)). */
    public Tensor softmax(int dim) {
        return logSoftmax(dim).exp();
    }
}
