package dev.nabla.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Optimizer#zeroGrad()} keeps each gradient buffer for the next backward ({@link Tensor#recycleGrad}): the
 * linear layer's weight gradient is written into it. The values must be exactly those of a fresh backward.
 */
class GradRecyclingTest {
    private final Generator gen = new Generator(7);
    private final Tensor w = Tensor.randn(gen, 5, 4).requiresGrad(true);
    private final Tensor b = Tensor.randn(gen, 5).requiresGrad(true);

    private Tensor loss(Tensor x) {
        return x.linear(w, b).tanh().square().sum();
    }

    /** dL/dw from a backward that starts with no gradient buffer at all. */
    private float[] freshGrad(Tensor x) {
        w.zeroGrad();
        b.zeroGrad();
        loss(x).backward();
        float[] g = w.grad().toFloatArray();
        w.zeroGrad();
        b.zeroGrad();
        return g;
    }

    @Test
    void recycledBufferReceivesExactlyTheFreshGradient() {
        Optimizer opt = new SGD(List.of(w, b), 0.1);
        Tensor x1 = Tensor.randn(gen, 3, 4);
        Tensor x2 = Tensor.randn(gen, 3, 4);
        opt.zeroGrad();
        loss(x1).backward();
        Tensor first = w.grad();
        float[] expected = freshGrad(x2);
        // the fresh computation above cleared the buffer; make one to recycle again
        loss(x1).backward();
        first = w.grad();
        opt.zeroGrad();
        assertNull(w.grad());
        loss(x2).backward();
        assertSame(first.floatData(), w.grad().floatData(), "the buffer is reused");
        assertArrayEquals(expected, w.grad().toFloatArray());
    }

    @Test
    void accumulatesOverTwoBackwardsAfterRecycling() {
        Optimizer opt = new SGD(List.of(w, b), 0.1);
        Tensor x1 = Tensor.randn(gen, 3, 4);
        Tensor x2 = Tensor.randn(gen, 3, 4);
        float[] g1 = freshGrad(x1);
        float[] g2 = freshGrad(x2);
        loss(x1).backward();
        opt.zeroGrad();
        loss(x1).backward();
        loss(x2).backward();
        float[] sum = w.grad().toFloatArray();
        for (int i = 0; i < sum.length; i++) {
            assertArrayEquals(new float[] {g1[i] + g2[i]}, new float[] {sum[i]}, 1e-6f, "element " + i);
        }
    }

    @Test
    void plainZeroGradDropsTheBuffer() {
        Tensor x = Tensor.randn(gen, 3, 4);
        loss(x).backward();
        Tensor old = w.grad();
        float[] oldValues = old.toFloatArray();
        w.zeroGrad();
        loss(Tensor.randn(gen, 3, 4)).backward();
        assertNotSame(old.floatData(), w.grad().floatData());
        assertArrayEquals(oldValues, old.toFloatArray(), "a gradient taken before zeroGrad() stays as it was");
    }

    @Test
    void capturedGradientsAreNotOverwrittenLater() {
        Optimizer opt = new SGD(List.of(w, b), 0.1);
        Tensor x = Tensor.randn(gen, 3, 4);
        loss(x).backward();
        opt.zeroGrad();
        Tensor captured = Tensor.gradients(loss(x), new Tensor[] {w}, null, false, false)[0];
        float[] values = captured.toFloatArray();
        opt.zeroGrad();
        loss(Tensor.randn(gen, 3, 4)).backward();
        assertArrayEquals(values, captured.toFloatArray());
    }
}
