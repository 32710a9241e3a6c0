package dev.nabla.tensor;

import dev.nabla.kernel.Fused;
import dev.nabla.kernel.Gemm;
import dev.nabla.kernel.Im2col;
import dev.nabla.kernel.MaxPool;
import dev.nabla.kernel.Parallel;
import dev.nabla.kernel.SmallConv;
import dev.nabla.kernel.Winograd;
import java.util.Arrays;

/**
 * Convolution and pooling: shape checks, the forward kernels (im2col feeding GEMM), and the three bilinear
 * primitives whose derivative rules are written with each other, so gradients of gradients work.
 *
 * <p>For y = conv(x, w): the input gradient is the transposed convolution {@code convT(g, w)}
 * ({@link Prim#CONV2D_INPUT_GRAD}: col2im of Wᵀ·g) and the weight gradient is {@code wgrad(x, g)}
 * ({@link Prim#CONV2D_WEIGHT_GRAD}: g·im2col(x)ᵀ summed over the batch). Each of the three is linear in each input,
 * and ⟨conv(x, w), g⟩ = ⟨x, convT(g, w)⟩ = ⟨w, wgrad(x, g)⟩ gives all their derivatives.
 *
 * <p>Settings travel in a node's {@code ints} as {@code {sh, sw, ph, pw, dh, dw, groups, e0, e1}}, where
 * {@code e0, e1} are the input's height and width for CONV2D_INPUT_GRAD and the kernel size for CONV2D_WEIGHT_GRAD;
 * for CONV2D, {@code e0 = 1} marks a relu applied to the output as it is written ({@link #conv2d} with
 * {@code relu}), whose mask the derivative rule takes from the output.
 * Work is split over fixed blocks of samples whose column matrices feed one GEMM together; the weight gradient sums
 * the blocks' partial results in block order, so results do not depend on the thread count. When the column matrix
 * has few rows (a first layer), {@link SmallConv} computes the forward and the weight gradient directly instead, split
 * over samples and over output channels respectively.
 */
final class Conv {
    /** Columns (samples × output positions) that one GEMM of a convolution covers, at least one sample's worth. */
    private static final int BLOCK_COLUMNS = 1536;
    /** Multiply-adds per parallel block of the small-column-matrix paths ({@link SmallConv}), at least one unit. */
    private static final int MIN_FMAS = 1 << 20;

    private Conv() {}

    // ---------------------------------------------------------------- entry points

    /** y = conv2d(x, w) + b for x {@code [N, C, H, W]}, w {@code [O, C/groups, kh, kw]}, b {@code [O]} or null. */
    static Tensor conv2d(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation, int groups) {
        return conv2d(x, w, b, stride, padding, dilation, groups, false);
    }

    /** conv2d, followed with {@code relu} by a relu applied in the same pass over the output. */
    static Tensor conv2d(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation, int groups,
            boolean relu) {
        int[] ints = settings("conv2d", x, w, b, stride, padding, dilation, groups, relu);
        Tensor out = forward(x, w, b, ints[9], ints[10], ints, null, false)[0];
        return Tensor.record(out, Prim.CONV2D, inputs(x, w, b), Arrays.copyOf(ints, 9), 0, null);
    }

    /**
     * conv2d (then relu when {@code relu}) followed by max pooling, as one op: each block of samples' convolution
     * output is pooled while it is in the cache, and the full-size output is never written. The values and
     * gradients are those of {@code maxPool2d(conv2d(x, w, b).relu())} (the relu is applied to the pooled values:
     * max and relu commute, and a window passes its gradient to its first maximum only where that is positive).
     *
     * <p>The node's ints are conv2d's nine (with no relu), the pooling's kernel, stride and padding, the relu flag and
     * the convolution's output height and width; the argmax positions go into the node as for max pooling.
     */
    static Tensor conv2dMaxPool(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation,
            int groups, boolean relu, int[] poolKernel, int[] poolStride, int[] poolPadding) {
        String op = "conv2dMaxPool";
        int[] conv = settings(op, x, w, b, stride, padding, dilation, groups, false);
        int[] k = pair(op, "pool kernel", poolKernel, 1);
        int[] s = poolStride == null ? k : pair(op, "pool stride", poolStride, 1);
        int[] p = pair(op, "pool padding", poolPadding, 0);
        int oh = conv[9];
        int ow = conv[10];
        int[] convShape = {x.shape[0], w.shape[0], oh, ow};
        checkPool(op, convShape, k, p);
        int[] window = {0, 0, k[0], k[1]};
        outSize(op, convShape, window, 2, s[0], p, new int[] {1, 1}); // a window larger than the output fails here
        outSize(op, convShape, window, 3, s[1], p, new int[] {1, 1});
        MaxPool.Geometry pool = new MaxPool.Geometry(oh, ow, k[0], k[1], s[0], s[1], p[0], p[1]);
        Tensor[] pooled = forward(x, w, b, oh, ow, conv, pool, relu);
        int[] ints = Arrays.copyOf(conv, 18);
        System.arraycopy(new int[] {k[0], k[1], s[0], s[1], p[0], p[1], relu ? 1 : 0, oh, ow}, 0, ints, 9, 9);
        return Tensor.record(pooled[0], Prim.CONV2D_MAXPOOL, inputs(x, w, b), ints, 0, pooled[1]);
    }

    private static Tensor[] inputs(Tensor x, Tensor w, Tensor b) {
        return b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b};
    }

    /**
     * Checks a convolution's operands and settings; returns its node ints {@code {sh, sw, ph, pw, dh, dw, groups,
     * relu, 0}} followed by the output height and width.
     */
    private static int[] settings(String op, Tensor x, Tensor w, Tensor b, int[] stride, int[] padding,
            int[] dilation, int groups, boolean relu) {
        int[] s = pair(op, "stride", stride, 1);
        int[] p = pair(op, "padding", padding, 0);
        int[] d = pair(op, "dilation", dilation, 1);
        if (x.dim() != 4 || w.dim() != 4) {
            throw new IllegalArgumentException(op + ": input " + Shapes.str(x.shape) + " must be [N, C, H, W] and weight "
                    + Shapes.str(w.shape) + " [out, in/groups, kh, kw]");
        }
        checkGroups(op, x.shape[1], w.shape[0], groups, x.shape, w.shape);
        if (w.shape[1] * groups != x.shape[1]) {
            throw new IllegalArgumentException(op + ": input " + Shapes.str(x.shape) + " has " + x.shape[1]
                    + " channels, weight " + Shapes.str(w.shape) + " expects " + w.shape[1] * groups + " ("
                    + w.shape[1] + " per group × " + groups + " groups)");
        }
        Tensor.checkSameDtype(op, x, w);
        if (b != null) {
            Tensor.checkSameDtype(op, x, b);
            if (b.dim() != 1 || b.shape[0] != w.shape[0]) {
                throw new IllegalArgumentException(op + ": bias " + Shapes.str(b.shape) + " must be [" + w.shape[0]
                        + "] for weight " + Shapes.str(w.shape));
            }
        }
        int oh = outSize(op, x.shape, w.shape, 2, s[0], p, d);
        int ow = outSize(op, x.shape, w.shape, 3, s[1], p, d);
        return new int[] {s[0], s[1], p[0], p[1], d[0], d[1], groups, relu ? 1 : 0, 0, oh, ow};
    }

    /**
     * The transposed convolution (the adjoint of conv2d in its input): for g {@code [N, O, OH, OW]} and w
     * {@code [O, C/groups, kh, kw]}, the {@code [N, C, h, w]} tensor x with ⟨x, convT(g, w)⟩ = ⟨conv(x, w), g⟩.
     */
    static Tensor inputGrad(Tensor g, Tensor w, int h, int wd, int[] ints) {
        String op = "convTranspose2d";
        if (g.dim() != 4 || w.dim() != 4 || g.shape[1] != w.shape[0]) {
            throw new IllegalArgumentException(op + ": input " + Shapes.str(g.shape) + " must be [N, C, H, W] with C = "
                    + "the weight's first dimension, weight " + Shapes.str(w.shape) + " [in, out/groups, kh, kw]");
        }
        Tensor.checkSameDtype(op, g, w);
        int groups = ints[6];
        checkGroups(op, w.shape[1] * groups, w.shape[0], groups, g.shape, w.shape);
        int[] xShape = {g.shape[0], w.shape[1] * groups, h, wd};
        int oh = outSize(op, xShape, w.shape, 2, ints[0], padding(ints), dilation(ints));
        int ow = outSize(op, xShape, w.shape, 3, ints[1], padding(ints), dilation(ints));
        if (oh != g.shape[2] || ow != g.shape[3]) {
            throw new IllegalArgumentException(op + ": input " + Shapes.str(g.shape) + " does not fit output " + h + "x"
                    + wd + " (a convolution of that size gives " + oh + "x" + ow + ")");
        }
        int[] own = ints.clone();
        own[7] = h;
        own[8] = wd;
        Tensor out = backwardInput(g, w, xShape, own);
        return Tensor.record(out, Prim.CONV2D_INPUT_GRAD, new Tensor[] {g, w}, own, 0, null);
    }

    /** The weight gradient of conv2d: for x {@code [N, C, H, W]} and g {@code [N, O, OH, OW]}, Σₙ gₙ·im2col(xₙ)ᵀ. */
    static Tensor weightGrad(Tensor x, Tensor g, int kh, int kw, int[] ints) {
        String op = "conv2dWeightGrad";
        int groups = ints[6];
        if (x.dim() != 4 || g.dim() != 4 || x.shape[0] != g.shape[0]) {
            throw new IllegalArgumentException(op + ": input " + Shapes.str(x.shape) + " and gradient "
                    + Shapes.str(g.shape) + " must both be [N, ., ., .] with the same N");
        }
        Tensor.checkSameDtype(op, x, g);
        int[] wShape = {g.shape[1], x.shape[1] / groups, kh, kw};
        checkGroups(op, x.shape[1], g.shape[1], groups, x.shape, wShape);
        int oh = outSize(op, x.shape, wShape, 2, ints[0], padding(ints), dilation(ints));
        int ow = outSize(op, x.shape, wShape, 3, ints[1], padding(ints), dilation(ints));
        if (oh != g.shape[2] || ow != g.shape[3]) {
            throw new IllegalArgumentException(op + ": gradient " + Shapes.str(g.shape) + " does not match the output "
                    + oh + "x" + ow + " of input " + Shapes.str(x.shape));
        }
        int[] own = ints.clone();
        own[7] = kh;
        own[8] = kw;
        Tensor out = backwardWeight(x, g, wShape, own);
        return Tensor.record(out, Prim.CONV2D_WEIGHT_GRAD, new Tensor[] {x, g}, own, 0, null);
    }

    /** PyTorch's conv_transpose2d: the input gradient of conv2d as an op, plus bias and output padding. */
    static Tensor convTranspose2d(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] outputPadding,
            int[] dilation, int groups) {
        String op = "convTranspose2d";
        int[] s = pair(op, "stride", stride, 1);
        int[] p = pair(op, "padding", padding, 0);
        int[] op2 = pair(op, "outputPadding", outputPadding, 0);
        int[] d = pair(op, "dilation", dilation, 1);
        if (x.dim() != 4 || w.dim() != 4) {
            throw new IllegalArgumentException(op + ": input " + Shapes.str(x.shape) + " must be [N, C, H, W] and weight "
                    + Shapes.str(w.shape) + " [in, out/groups, kh, kw]");
        }
        if (op2[0] >= Math.max(s[0], d[0]) || op2[1] >= Math.max(s[1], d[1])) {
            throw new IllegalArgumentException(op + ": output padding " + Arrays.toString(op2)
                    + " must be smaller than the stride or the dilation");
        }
        int h = (x.shape[2] - 1) * s[0] - 2 * p[0] + d[0] * (w.shape[2] - 1) + 1 + op2[0];
        int wd = (x.shape[3] - 1) * s[1] - 2 * p[1] + d[1] * (w.shape[3] - 1) + 1 + op2[1];
        if (h <= 0 || wd <= 0) {
            throw new IllegalArgumentException(op + ": input " + Shapes.str(x.shape) + " with weight "
                    + Shapes.str(w.shape) + " and padding " + Arrays.toString(p) + " gives an empty output " + h + "x"
                    + wd);
        }
        Tensor out = inputGrad(x, w, h, wd, new int[] {s[0], s[1], p[0], p[1], d[0], d[1], groups, 0, 0});
        if (b != null) {
            int c = out.shape[1];
            if (b.dim() != 1 || b.shape[0] != c) {
                throw new IllegalArgumentException(op + ": bias " + Shapes.str(b.shape) + " must be [" + c + "]");
            }
            out = out.add(b.reshape(c, 1, 1));
        }
        return out;
    }

    /** 1-d convolution as a 2-d one of height 1: x {@code [N, C, L]}, w {@code [O, C/groups, k]}. */
    static Tensor conv1d(Tensor x, Tensor w, Tensor b, int stride, int padding, int dilation, int groups) {
        if (x.dim() != 3 || w.dim() != 3) {
            throw new IllegalArgumentException("conv1d: input " + Shapes.str(x.shape) + " must be [N, C, L] and weight "
                    + Shapes.str(w.shape) + " [out, in/groups, k]");
        }
        try {
            return conv2d(x.unsqueeze(2), w.unsqueeze(2), b, new int[] {1, stride}, new int[] {0, padding},
                    new int[] {1, dilation}, groups).squeeze(2);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("conv1d: input " + Shapes.str(x.shape) + ", weight " + Shapes.str(w.shape)
                    + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- pooling

    /**
     * Max pooling over {@code kh×kw} windows of x {@code [N, C, H, W]}; padding counts as −∞. The flat position of
     * each window's maximum (the first one at ties) goes into the node, and the gradient flows there alone.
     */
    static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return maxPool2d(x, kernel, stride, padding, false);
    }

    /**
     * Max pooling followed, with {@code relu}, by a relu of the pooled values: relu(maxPool(x)), which equals
     * maxPool(relu(x)) value for value and gradient for gradient, for a quarter of the relu work under 2×2 windows.
     * The flag travels as the node's seventh int, and the derivative rule takes the relu's mask from the output.
     */
    static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean relu) {
        String op = relu ? "maxPool2dRelu" : "maxPool2d";
        int[] k = pair(op, "kernel", kernel, 1);
        int[] s = stride == null ? k : pair(op, "stride", stride, 1);
        int[] p = pair(op, "padding", padding, 0);
        checkPool(op, x.shape, k, p);
        int oh = outSize(op, x.shape, new int[] {0, 0, k[0], k[1]}, 2, s[0], p, new int[] {1, 1});
        int ow = outSize(op, x.shape, new int[] {0, 0, k[0], k[1]}, 3, s[1], p, new int[] {1, 1});
        Tensor src = Tensor.contiguousOf(x);
        int n = x.shape[0];
        int c = x.shape[1];
        MaxPool.Geometry geo = new MaxPool.Geometry(x.shape[2], x.shape[3], k[0], k[1], s[0], s[1], p[0], p[1]);
        Tensor out = Tensor.empty(x.dtype, new int[] {n, c, oh, ow});
        Tensor idx = Tensor.empty(x.dtype, new int[] {n, c, oh * ow});
        int plane = x.shape[2] * x.shape[3];
        int outPlane = oh * ow;
        Parallel.forRange(n * c, Math.max(1, 16384 / Math.max(1, outPlane * k[0] * k[1])), (start, end) -> {
            if (src.f != null) {
                MaxPool.forward(geo, src.f, src.offset + start * plane, end - start, out.f, idx.f, start * outPlane);
            } else {
                MaxPool.forward(geo, src.d, src.offset + start * plane, end - start, out.d, idx.d, start * outPlane);
            }
        });
        if (relu) {
            Elementwise.reluInPlace(out);
        }
        return Tensor.record(out, Prim.MAX_POOL2D, new Tensor[] {x},
                new int[] {k[0], k[1], s[0], s[1], p[0], p[1], relu ? 1 : 0}, 0, idx);
    }

    /**
     * The gradient of max pooling: g scattered to the recorded argmax positions, summed where windows overlap; with
     * {@code reluOut} (the output of a pooling followed by relu) only where that output is positive, the relu's mask.
     * {@code window} starts with the pooling's kernel, stride and padding (height, width each), as in the node's ints.
     *
     * <p>With {@code transient_}, for a caller that uses the result and drops it before it calls this again (the
     * rule of {@link #conv2dMaxPool}, when no graph of the backward pass is recorded), a float32 result is a view of
     * a per-thread scratch array, each plane written whole by the thread that computes it, instead of a fresh array
     * that the calling thread alone would zero-fill (6.4 MB at the first layer of the CNN at batch 64).
     */
    static Tensor maxPoolBackward(Tensor g, DType dtype, int[] xShape, int[] window, Tensor idx, Tensor reluOut,
            boolean transient_) {
        int n = xShape[0];
        int c = xShape[1];
        int plane = xShape[2] * xShape[3];
        int outPlane = g.shape[2] * g.shape[3];
        if (dev.nabla.autograd.GradMode.isEnabled()) {
            Tensor masked = reluOut == null ? g : g.mul(reluOut.gt(0));
            return Tensor.zeros(dtype, n, c, plane).scatterAdd(2, idx, masked.reshape(n, c, outPlane))
                    .reshape(xShape.clone());
        }
        Tensor src = Tensor.contiguousOf(g.reshape(n, c, outPlane));
        Tensor mask = reluOut == null ? null : Tensor.contiguousOf(reluOut);
        boolean scratch = transient_ && dtype == DType.FLOAT32;
        Tensor out = scratch ? gradScratch(xShape) : Tensor.empty(dtype, xShape.clone());
        if (out.f != null) {
            MaxPool.Geometry geo = new MaxPool.Geometry(xShape[2], xShape[3], window[0], window[1], window[2],
                    window[3], window[4], window[5]);
            float[] o = out.f;
            float[] gs = src.f;
            float[] at = idx.f;
            float[] pooled = mask == null ? null : mask.f;
            int pooledOff = mask == null ? 0 : mask.offset;
            Parallel.forRange(n * c, Math.max(1, 16384 / Math.max(1, outPlane)), (start, end) ->
                    MaxPool.gradientPlanes(geo, end - start, gs, src.offset + start * outPlane, at, start * outPlane,
                            pooled, pooledOff + start * outPlane, o, start * plane, null, 0, false));
            return out;
        }
        for (int q = 0, nc = n * c; q < nc; q++) {
            for (int i = 0; i < outPlane; i++) {
                int at = q * outPlane + i;
                if (mask != null && !(mask.getRaw(mask.offset + at) > 0)) {
                    continue;
                }
                int to = q * plane + (int) idx.getRaw(at);
                out.setRaw(to, out.getRaw(to) + src.getRaw(src.offset + at));
            }
        }
        return out;
    }

    /** A contiguous float32 view of the calling thread's gradient scratch array, grown to {@code shape}. */
    private static Tensor gradScratch(int[] shape) {
        int size = Shapes.size(shape);
        float[] a = GRAD_SCRATCH.get();
        if (a.length < size) {
            a = new float[size];
            GRAD_SCRATCH.set(a);
        }
        return new Tensor(a, new int[] {a.length}).view(shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    /** Per thread: the scratch array behind {@link #maxPoolBackward}'s transient results. */
    private static final ThreadLocal<float[]> GRAD_SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Average pooling with PyTorch's defaults (padding zeros count in the average): a reshape and mean when the
     * windows tile the input, else a depthwise convolution with weights 1/(kh·kw).
     */
    static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        String op = "avgPool2d";
        int[] k = pair(op, "kernel", kernel, 1);
        int[] s = stride == null ? k : pair(op, "stride", stride, 1);
        int[] p = pair(op, "padding", padding, 0);
        checkPool(op, x.shape, k, p);
        int oh = outSize(op, x.shape, new int[] {0, 0, k[0], k[1]}, 2, s[0], p, new int[] {1, 1});
        int ow = outSize(op, x.shape, new int[] {0, 0, k[0], k[1]}, 3, s[1], p, new int[] {1, 1});
        int n = x.shape[0];
        int c = x.shape[1];
        if (Arrays.equals(s, k) && p[0] == 0 && p[1] == 0) {
            Tensor tiled = x.narrow(2, 0, oh * k[0]).narrow(3, 0, ow * k[1]);
            return tiled.reshape(n, c, oh, k[0], ow, k[1]).mean(new int[] {3, 5}, false);
        }
        Tensor weight = Tensor.full(x.dtype, 1.0 / (k[0] * k[1]), c, 1, k[0], k[1]);
        return conv2d(x, weight, null, s, p, new int[] {1, 1}, c);
    }

    private static void checkPool(String op, int[] shape, int[] k, int[] p) {
        if (shape.length != 4) {
            throw new IllegalArgumentException(op + ": input " + Shapes.str(shape) + " must be [N, C, H, W]");
        }
        if (p[0] > k[0] / 2 || p[1] > k[1] / 2) {
            throw new IllegalArgumentException(op + ": padding " + Arrays.toString(p) + " must be at most half the kernel "
                    + Arrays.toString(k));
        }
    }

    // ---------------------------------------------------------------- checks

    static int[] padding(int[] ints) {
        return new int[] {ints[2], ints[3]};
    }

    static int[] dilation(int[] ints) {
        return new int[] {ints[4], ints[5]};
    }

    static int[] stride(int[] ints) {
        return new int[] {ints[0], ints[1]};
    }

    private static int[] pair(String op, String name, int[] v, int min) {
        if (v == null || (v.length != 1 && v.length != 2)) {
            throw new IllegalArgumentException(op + ": " + name + " must have one or two values, got "
                    + (v == null ? "null" : Arrays.toString(v)));
        }
        int[] out = v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
        if (out[0] < min || out[1] < min) {
            throw new IllegalArgumentException(op + ": " + name + " " + Arrays.toString(v) + " must be at least " + min);
        }
        return out;
    }

    private static void checkGroups(String op, int in, int out, int groups, int[] xShape, int[] wShape) {
        if (groups < 1 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException(op + ": groups " + groups + " must divide the input channels " + in
                    + " and the output channels " + out + " (input " + Shapes.str(xShape) + ", weight "
                    + Shapes.str(wShape) + ")");
        }
    }

    /** ⌊(size + 2p − d(k−1) − 1)/s⌋ + 1 along spatial dimension {@code dim} (2 or 3), or an error naming the shapes. */
    private static int outSize(String op, int[] x, int[] w, int dim, int s, int[] p, int[] d) {
        int i = dim - 2;
        int span = d[i] * (w[dim] - 1) + 1;
        int padded = x[dim] + 2 * p[i];
        if (span > padded) {
            String dilation = d[0] == 1 && d[1] == 1 ? "" : " (dilation " + d[0] + "x" + d[1] + ")";
            throw new IllegalArgumentException(op + ": kernel " + w[2] + "x" + w[3] + dilation
                    + " is larger than the padded input " + (x[2] + 2 * p[0]) + "x" + (x[3] + 2 * p[1]) + " (input "
                    + Shapes.str(x) + ", padding " + p[0] + "x" + p[1] + ")");
        }
        return (padded - span) / s + 1;
    }

    // ---------------------------------------------------------------- kernels

    private static Im2col.Geometry geometry(int c, int h, int w, int kh, int kw, int oh, int ow, int[] ints) {
        return new Im2col.Geometry(c, h, w, kh, kw, oh, ow, ints[0], ints[1], ints[2], ints[3], ints[4], ints[5]);
    }

    /**
     * Samples whose column matrices sit side by side in one GEMM: enough for about {@link #BLOCK_COLUMNS} columns
     * (a per-image GEMM such as 64×196×288 is too small to run near the machine's peak). Depends only on the shapes,
     * so the blocks, and with them every sum, are the same whatever the thread count.
     */
    private static int blockSamples(int n, int p) {
        return Math.max(1, Math.min(n, (BLOCK_COLUMNS + p - 1) / p));
    }

    /**
     * y = conv(x, w) + b (then relu when {@code ints[7] = 1}), a block of B samples at a time: their column matrices
     * side by side as {@code cols [C·kh·kw, B·OH·OW]}, one GEMM {@code W·cols} per group into {@code [O, B·OH·OW]},
     * then each sample's rows copied out with the bias added; or, for few rows of columns, {@link SmallConv}
     * straight into the output. With {@code pool}, each block's output is max-pooled where it lies instead of
     * copied out (and the pooled values go through relu with {@code reluPooled}, in the same parallel block; the
     * Winograd path applies it before pooling, which gives the same values); the result is then
     * {@code {pooled, argmax}}, else {@code {y, null}}.
     */
    private static Tensor[] forward(Tensor x0, Tensor w0, Tensor b0, int oh, int ow, int[] ints,
            MaxPool.Geometry pool, boolean reluPooled) {
        Tensor x = Tensor.contiguousOf(x0);
        Tensor w = Tensor.contiguousOf(w0);
        Tensor b = b0 == null ? null : Tensor.contiguousOf(b0);
        int n = x.shape[0];
        int groups = ints[6];
        boolean relu = ints[7] == 1;
        int cg = x.shape[1] / groups;
        int o = w.shape[0];
        int og = o / groups;
        Im2col.Geometry geo = geometry(cg, x.shape[2], x.shape[3], w.shape[2], w.shape[3], oh, ow, ints);
        int rows = geo.rows();
        int p = geo.cols();
        int per = blockSamples(n, p);
        int blocks = (n + per - 1) / per;
        Tensor out = pool == null ? Tensor.empty(x.dtype, new int[] {n, o, oh, ow})
                : Tensor.empty(x.dtype, new int[] {n, o, pool.oh(), pool.ow()});
        Tensor idx = pool == null ? null : Tensor.empty(x.dtype, new int[] {n, o, pool.oh() * pool.ow()});
        int plane = x.shape[2] * x.shape[3];
        if (x.f != null && rows <= SmallConv.MAX_ROWS) {
            float[] bias = b == null ? null : b.f;
            int biasOff = b == null ? 0 : b.offset;
            int c = x.shape[1];
            // with pooling: a few samples at a time into a scratch array that stays in the cache
            int chunk = pool == null ? Integer.MAX_VALUE : Math.max(1, POOL_CHUNK / Math.max(1, o * p));
            Parallel.forRange(n, grain((long) o * p * rows), (s0, s1) -> {
                for (int from = s0; from < s1; from += chunk) {
                    int count = Math.min(chunk, s1 - from);
                    float[] y = pool == null ? out.f : (float[]) buffer(x, count * o * p, 2);
                    int yOff = pool == null ? from * o * p : 0;
                    for (int gi = 0; gi < groups; gi++) {
                        SmallConv.forward(geo, x.f, x.offset + (from * c + gi * cg) * plane, c * plane, count, w.f,
                                w.offset + gi * og * rows, og, bias, biasOff + gi * og, relu, y, yOff + gi * og * p,
                                o * p);
                    }
                    if (pool != null) {
                        int outPlane = pool.oh() * pool.ow();
                        MaxPool.forward(pool, y, 0, count * o, out.f, idx.f, from * o * outPlane);
                        if (reluPooled) {
                            reluRange(out, from * o * outPlane, count * o * outPlane);
                        }
                    }
                }
            });
            return new Tensor[] {out, idx};
        }
        if (x.f != null && winograd(n, x.shape[1], o, w.shape, ints) && (pool == null || pool.isTwoByTwo())) {
            Winograd.forward(x.f, x.offset, n, x.shape[1], x.shape[2], x.shape[3], w.f, w.offset, o,
                    b == null ? null : b.f, b == null ? 0 : b.offset, ints[2], ints[3], oh, ow, relu || reluPooled,
                    pool != null, out.f, idx == null ? null : idx.f);
            return new Tensor[] {out, idx};
        }
        Parallel.forRange(blocks, 1, (start, end) -> {
            Object cols = buffer(x, rows * per * p, 0);
            Object y = buffer(x, o * per * p, 1);
            for (int blk = start; blk < end; blk++) {
                int s0 = blk * per;
                int bs = Math.min(per, n - s0);
                int ld = bs * p;
                for (int gi = 0; gi < groups; gi++) {
                    for (int i = 0; i < bs; i++) {
                        im2col(geo, x, x.offset + ((s0 + i) * x.shape[1] + gi * cg) * plane, cols, i * p, ld);
                    }
                    gemm(false, false, og, ld, rows, w, w.offset + gi * og * rows, rows, cols, 0, ld, 0, y,
                            gi * og * ld, ld);
                }
                if (pool == null) {
                    unblock(y, ld, p, bs, o, b, relu, out, s0);
                } else {
                    poolBlock(y, p, bs, o, b, pool, out, idx, s0);
                    if (reluPooled) {
                        int outPlane = pool.oh() * pool.ow();
                        reluRange(out, s0 * o * outPlane, bs * o * outPlane);
                    }
                }
            }
        });
        return new Tensor[] {out, idx};
    }

    /** Elements of the scratch array that {@link SmallConv} fills for pooling, about 256 KB of floats. */
    private static final int POOL_CHUNK = 1 << 16;

    /** relu over {@code count} elements of {@code t}'s storage from {@code from}, in place. */
    private static void reluRange(Tensor t, int from, int count) {
        if (t.f != null) {
            Fused.relu(t.f, from, t.f, from, count);
        } else {
            for (int i = from; i < from + count; i++) {
                t.d[i] = Elementwise.apply(Prim.RELU, t.d[i]);
            }
        }
    }

    /**
     * Max-pools a block's {@code y [O, bs·P]} (the bias added first, in place, so that the windows compare the values
     * the unpooled op would give) into samples s0.. of {@code out [N, O, PH, PW]}, positions into {@code idx}.
     */
    private static void poolBlock(Object y, int p, int bs, int o, Tensor b, MaxPool.Geometry pool, Tensor out,
            Tensor idx, int s0) {
        int planes = o * bs; // plane ch·bs + i of y is channel ch of sample s0 + i
        if (b != null) {
            for (int ch = 0; ch < o; ch++) {
                int from = ch * bs * p;
                if (out.f != null) {
                    float[] src = (float[]) y;
                    Fused.biasRelu(src, from, b.f[b.offset + ch], false, src, from, bs * p);
                } else {
                    double[] src = (double[]) y;
                    double bias = b.d[b.offset + ch];
                    for (int j = from; j < from + bs * p; j++) {
                        src[j] += bias;
                    }
                }
            }
        }
        int outPlane = pool.oh() * pool.ow();
        Object pooled = buffer(out, planes * outPlane, 2);
        Object at = buffer(out, planes * outPlane, 3);
        if (out.f != null) {
            MaxPool.forward(pool, (float[]) y, 0, planes, (float[]) pooled, (float[]) at, 0);
        } else {
            MaxPool.forward(pool, (double[]) y, 0, planes, (double[]) pooled, (double[]) at, 0);
        }
        for (int ch = 0; ch < o; ch++) {
            for (int i = 0; i < bs; i++) {
                int from = (ch * bs + i) * outPlane;
                int to = ((s0 + i) * o + ch) * outPlane;
                System.arraycopy(pooled, from, out.storage(), to, outPlane);
                System.arraycopy(at, from, idx.storage(), to, outPlane);
            }
        }
    }

    /**
     * Copies {@code y [O, bs·P]} into samples s0.. of {@code out [N, O, P]}, adding the bias when there is one and
     * applying relu when asked (as {@link Tensor#relu} does for the dtype).
     */
    private static void unblock(Object y, int ld, int p, int bs, int o, Tensor b, boolean relu, Tensor out, int s0) {
        for (int i = 0; i < bs; i++) {
            for (int ch = 0; ch < o; ch++) {
                int from = ch * ld + i * p;
                int to = ((s0 + i) * o + ch) * p;
                if (out.f != null) {
                    float[] src = (float[]) y;
                    if (b == null && !relu) {
                        System.arraycopy(src, from, out.f, to, p);
                    } else {
                        Fused.biasRelu(src, from, b == null ? 0f : b.f[b.offset + ch], relu, out.f, to, p);
                    }
                } else {
                    double[] src = (double[]) y;
                    double bias = b == null ? 0 : b.d[b.offset + ch];
                    for (int j = 0; j < p; j++) {
                        double v = src[from + j] + bias;
                        out.d[to + j] = relu && !(v > 0) && v == v ? 0 : v;
                    }
                }
            }
        }
    }

    /** Gathers samples s0..s0+bs of {@code g [N, O, P]} into {@code dst [O, bs·P]} (the layout of a block's GEMM). */
    private static void block(Tensor g, int s0, int bs, int o, int p, Object dst) {
        int ld = bs * p;
        Object src = g.storage();
        for (int i = 0; i < bs; i++) {
            for (int ch = 0; ch < o; ch++) {
                System.arraycopy(src, g.offset + ((s0 + i) * o + ch) * p, dst, ch * ld + i * p, p);
            }
        }
    }

    /**
     * The input gradient convT(g, w), a block of samples at a time: {@code cols = Wᵀ·g} for the block's gradients
     * side by side, then col2im of each sample's columns.
     */
    private static Tensor backwardInput(Tensor g0, Tensor w0, int[] xShape, int[] ints) {
        Tensor g = Tensor.contiguousOf(g0);
        Tensor w = Tensor.contiguousOf(w0);
        int n = xShape[0];
        int groups = ints[6];
        int cg = xShape[1] / groups;
        int o = w.shape[0];
        int og = o / groups;
        Im2col.Geometry geo = geometry(cg, xShape[2], xShape[3], w.shape[2], w.shape[3], g.shape[2], g.shape[3], ints);
        int rows = geo.rows();
        int p = geo.cols();
        int per = blockSamples(n, p);
        int blocks = (n + per - 1) / per;
        Tensor out = Tensor.empty(g.dtype, xShape);
        if (g.f != null && winograd(n, xShape[1], o, w.shape, ints)) {
            Winograd.backwardInput(g.f, g.offset, n, o, g.shape[2], g.shape[3], w.f, w.offset, xShape[1], ints[2],
                    ints[3], xShape[2], xShape[3], out.f);
            return out;
        }
        int plane = xShape[2] * xShape[3];
        Parallel.forRange(blocks, 1, (start, end) -> {
            Object cols = buffer(g, rows * per * p, 0);
            Object gb = buffer(g, o * per * p, 1);
            for (int blk = start; blk < end; blk++) {
                int s0 = blk * per;
                int bs = Math.min(per, n - s0);
                int ld = bs * p;
                block(g, s0, bs, o, p, gb);
                for (int gi = 0; gi < groups; gi++) {
                    gemm(true, false, rows, ld, og, w, w.offset + gi * og * rows, rows, gb, gi * og * ld, ld, 0, cols,
                            0, ld);
                    for (int i = 0; i < bs; i++) {
                        col2im(geo, cols, i * p, ld, out, ((s0 + i) * xShape[1] + gi * cg) * plane);
                    }
                }
            }
        });
        return out;
    }

    /**
     * The weight gradient Σₙ gₙ·im2col(xₙ)ᵀ: one GEMM per block of samples (their columns side by side, so the sum
     * over the block's samples runs inside the GEMM), the blocks' partial sums then added in block order.
     */
    private static Tensor backwardWeight(Tensor x0, Tensor g0, int[] wShape, int[] ints) {
        Tensor x = Tensor.contiguousOf(x0);
        Tensor g = Tensor.contiguousOf(g0);
        int n = x.shape[0];
        if (n == 0) {
            return Tensor.zeros(x.dtype, wShape.clone()); // no samples: the sum over them is zero
        }
        int groups = ints[6];
        int cg = x.shape[1] / groups;
        int o = wShape[0];
        int og = o / groups;
        Im2col.Geometry geo = geometry(cg, x.shape[2], x.shape[3], wShape[2], wShape[3], g.shape[2], g.shape[3], ints);
        int rows = geo.rows();
        int p = geo.cols();
        int plane = x.shape[2] * x.shape[3];
        if (x.f != null && rows <= SmallConv.MAX_ROWS) {
            Tensor out = Tensor.empty(x.dtype, wShape.clone());
            int c = x.shape[1];
            Parallel.forRange(o, grain((long) n * p * rows), (c0, c1) -> {
                for (int ch = c0, end; ch < c1; ch = end) { // each call within one group
                    int gi = ch / og;
                    end = Math.min(c1, (gi + 1) * og);
                    SmallConv.weightGrad(geo, x.f, x.offset + gi * cg * plane, c * plane, n, g.f, g.offset + ch * p,
                            o * p, end - ch, out.f, ch * rows);
                }
            });
            return out;
        }
        if (x.f != null && winograd(n, x.shape[1], o, wShape, ints)) {
            Tensor out = Tensor.empty(x.dtype, wShape.clone());
            Winograd.backwardWeight(x.f, x.offset, n, x.shape[1], x.shape[2], x.shape[3], g.f, g.offset, o, g.shape[2],
                    g.shape[3], ints[2], ints[3], out.f, 0);
            return out;
        }
        int per = blockSamples(n, p);
        int blocks = (n + per - 1) / per;
        Tensor[] partial = new Tensor[blocks];
        Parallel.forRange(blocks, 1, (start, end) -> {
            Object cols = buffer(x, rows * per * p, 0);
            Object gb = buffer(x, o * per * p, 1);
            for (int blk = start; blk < end; blk++) {
                int s0 = blk * per;
                int bs = Math.min(per, n - s0);
                int ld = bs * p;
                Tensor acc = Tensor.empty(x.dtype, wShape.clone());
                block(g, s0, bs, o, p, gb);
                for (int gi = 0; gi < groups; gi++) {
                    for (int i = 0; i < bs; i++) {
                        im2col(geo, x, x.offset + ((s0 + i) * x.shape[1] + gi * cg) * plane, cols, i * p, ld);
                    }
                    gemm(false, true, og, rows, ld, gb, gi * og * ld, ld, cols, 0, ld, 0, acc.storage(),
                            gi * og * rows, rows);
                }
                partial[blk] = acc;
            }
        });
        Tensor out = partial[0];
        for (int c = 1; c < blocks; c++) {
            Elementwise.accumulate(out, partial[c], 1);
        }
        return out;
    }

    /**
     * The weight and bias gradients of {@link #conv2dMaxPool} straight from the pooled gradient {@code g}, for a
     * rule that needs no input gradient (a first layer): {@link SmallConv#weightGradPooled} builds each output
     * gradient plane in the cache instead of a full-size gradient in memory. Null when that path does not apply
     * (float64, a column matrix of more than {@link SmallConv#MAX_ROWS} rows, or a graph of the backward pass being
     * recorded); the bias gradient is null without {@code bias}. Equal bit for bit to pooling's gradient followed by
     * {@link #weightGrad} and the sum over samples and positions.
     */
    static Tensor[] pooledWeightGrad(Tensor x0, Tensor g0, Tensor idx, Tensor pooled0, int[] wShape, int[] ints,
            boolean bias) {
        int groups = ints[6];
        int cg = x0.shape[1] / groups;
        Im2col.Geometry geo = geometry(cg, x0.shape[2], x0.shape[3], wShape[2], wShape[3], ints[16], ints[17], ints);
        if (x0.f == null || geo.rows() > SmallConv.MAX_ROWS || dev.nabla.autograd.GradMode.isEnabled()) {
            return null;
        }
        Tensor x = Tensor.contiguousOf(x0);
        Tensor g = Tensor.contiguousOf(g0);
        Tensor pooled = pooled0 == null ? null : Tensor.contiguousOf(pooled0);
        int n = x.shape[0];
        int c = x.shape[1];
        int o = wShape[0];
        int og = o / groups;
        int rows = geo.rows();
        int plane = x.shape[2] * x.shape[3];
        int outPlane = g.shape[2] * g.shape[3];
        MaxPool.Geometry pool = new MaxPool.Geometry(ints[16], ints[17], ints[9], ints[10], ints[11], ints[12],
                ints[13], ints[14]);
        Tensor dw = Tensor.empty(x.dtype, wShape.clone());
        Tensor db = bias ? Tensor.empty(x.dtype, new int[] {o}) : null;
        // every sample's column matrix for each group, built once here (in scratch space) for all blocks of channels
        int size = rows * geo.cols();
        float[] cols = (float[]) buffer(x, n * groups * size, 0);
        Parallel.forRange(n * groups, Math.max(1, (1 << 16) / size), (start, end) -> {
            for (int q = start; q < end; q++) {
                Im2col.im2col(geo, x.f, x.offset + ((q / groups) * c + (q % groups) * cg) * plane, cols, q * size);
            }
        });
        Parallel.forRange(o, grain((long) n * geo.cols() * rows), (c0, c1) -> {
            for (int ch = c0, end; ch < c1; ch = end) { // each call within one group
                int gi = ch / og;
                end = Math.min(c1, (gi + 1) * og);
                SmallConv.weightGradPooled(geo, pool, cols, gi * size, groups * size, n, g.f, g.offset + ch * outPlane,
                        idx.f, idx.offset + ch * outPlane, pooled == null ? null : pooled.f,
                        pooled == null ? 0 : pooled.offset + ch * outPlane, o * outPlane, end - ch, dw.f, ch * rows,
                        db == null ? null : db.f, ch);
            }
        });
        return new Tensor[] {dw, db};
    }

    /**
     * Whether a float32 convolution of {@code n} samples, {@code c} channels into {@code o}, weights of shape
     * {@code wShape} and settings {@code ints} runs by {@link Winograd} (unless the system property
     * {@code nabla.winograd} is {@code false}, which keeps im2col and the GEMM, for comparisons).
     */
    static boolean winograd(int n, int c, int o, int[] wShape, int[] ints) {
        return WINOGRAD && Winograd.suits(n, c, o, wShape[2], wShape[3], ints[0], ints[1], ints[4], ints[5], ints[6],
                ints[2], ints[3]);
    }

    private static final boolean WINOGRAD = !"false".equals(System.getProperty("nabla.winograd"));

    /** Units per parallel block of a {@link SmallConv} path, for {@code fmas} multiply-adds per unit. */
    private static int grain(long fmas) {
        return (int) Math.max(1, MIN_FMAS / Math.max(1, fmas));
    }

    /**
     * Scratch array {@code slot} (0 to 3) of the calling thread, at least {@code size} long, in the dtype of
     * {@code like}. Reused across calls: every user writes each element it reads (im2col writes its zeros, the GEMMs
     * run with beta 0), and a fresh array per block was zero-filled and then missed the cache (1.8 MB per block of
     * the CNN's second convolution).
     */
    private static Object buffer(Tensor like, int size, int slot) {
        Object[] mine = SCRATCH.get();
        int at = (like.f != null ? 0 : 4) + slot;
        int length = mine[at] == null ? -1 : like.f != null ? ((float[]) mine[at]).length : ((double[]) mine[at]).length;
        if (length < size) {
            mine[at] = like.f != null ? new float[size] : new double[size];
        }
        return mine[at];
    }

    /** Per thread: four float scratch arrays, then four double ones (see {@link #buffer}). */
    private static final ThreadLocal<Object[]> SCRATCH = ThreadLocal.withInitial(() -> new Object[8]);

    private static void im2col(Im2col.Geometry geo, Tensor x, int xOff, Object cols, int colsOff, int ld) {
        if (x.f != null) {
            Im2col.im2col(geo, x.f, xOff, (float[]) cols, colsOff, ld);
        } else {
            Im2col.im2col(geo, x.d, xOff, (double[]) cols, colsOff, ld);
        }
    }

    private static void col2im(Im2col.Geometry geo, Object cols, int colsOff, int ld, Tensor out, int xOff) {
        if (out.f != null) {
            Im2col.col2im(geo, (float[]) cols, colsOff, out.f, xOff, ld);
        } else {
            Im2col.col2im(geo, (double[]) cols, colsOff, out.d, xOff, ld);
        }
    }

    /** GEMM on float or double arrays, {@code a} given as a tensor's storage or a tensor. */
    private static void gemm(boolean ta, boolean tb, int m, int n, int k, Object a, int aOff, int lda, Object b,
            int bOff, int ldb, double beta, Object c, int cOff, int ldc) {
        Object aa = a instanceof Tensor t ? t.storage() : a;
        Object bb = b instanceof Tensor t ? t.storage() : b;
        if (aa instanceof float[] af) {
            Gemm.sgemm(ta, tb, m, n, k, 1f, af, aOff, lda, (float[]) bb, bOff, ldb, (float) beta, (float[]) c, cOff,
                    ldc);
        } else {
            Gemm.dgemm(ta, tb, m, n, k, 1.0, (double[]) aa, aOff, lda, (double[]) bb, bOff, ldb, beta, (double[]) c,
                    cOff, ldc);
        }
    }
}
