package dev.nabla.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The autograd engine's contract: accumulation, no-grad, detach, retained graphs, second order, GradCheck itself. */
class AutogradTest {
    private static Tensor vec(double... v) {
        return Tensor.fromArray(v, v.length);
    }

    @Test
    void gradCheckCatchesAWrongDerivative() {
        // x · detach(x) has value x², but autograd sees the second factor as a constant: gradient x, not 2x.
        GradCheck.Result wrong = GradCheck.check(x -> x[0].mul(x[0].detach()).sum(), vec(0.5, -1.5, 2.0));
        assertFalse(wrong.passed(), wrong.toString());
        assertEquals(2.0, wrong.numeric() / wrong.analytic(), 1e-6, "numeric 2x against analytic x");
        assertTrue(GradCheck.check(x -> x[0].mul(x[0]).sum(), vec(0.5, -1.5, 2.0)).passed());
    }

    @Test
    void secondDerivativeOfCube() {
        Tensor x = vec(-1.5, 0.5, 2.0).requiresGrad(true);
        Tensor dy = Tensor.gradients(x.pow(3).sum(), new Tensor[] {x}, null, false, true)[0];
        assertArrayEquals(new double[] {3 * 2.25, 3 * 0.25, 3 * 4.0}, dy.toDoubleArray(), 1e-12);
        Tensor d2y = Tensor.gradients(dy.sum(), new Tensor[] {x}, null, false, false)[0];
        assertArrayEquals(new double[] {6 * -1.5, 6 * 0.5, 6 * 2.0}, d2y.toDoubleArray(), 1e-12);
    }

    @Test
    void secondDerivativeOfTanh() {
        double[] xs = {-1.2, 0.0, 0.7};
        Tensor x = vec(xs).requiresGrad(true);
        Tensor dy = Tensor.gradients(x.tanh().sum(), new Tensor[] {x}, null, false, true)[0];
        Tensor d2y = Tensor.gradients(dy.sum(), new Tensor[] {x}, null, false, false)[0];
        for (int i = 0; i < xs.length; i++) {
            double t = Math.tanh(xs[i]);
            assertEquals(-2 * t * (1 - t * t), d2y.toDoubleArray()[i], 1e-12, "tanh'' at " + xs[i]);
        }
        // and against finite differences of the first derivative
        assertTrue(GradCheck.check(in -> Tensor.gradients(in[0].tanh().sum(), new Tensor[] {in[0]}, null, false, true)[0],
                vec(xs)).passed());
    }

    @Test
    void gradientsSummedInPlaceNeverReachOtherTensors() {
        // u + v hands one gradient tensor to both; u's later terms, and the slices of u, are summed in place
        Tensor a = vec(1, 2, 3).requiresGrad(true);
        Tensor b = vec(4, 5, 6).requiresGrad(true);
        Tensor u = a.mul(1);
        Tensor v = b.mul(1);
        Tensor loss = u.add(v).sum().add(u.mul(3).sum()).add(u.mul(5).sum())
                .add(u.narrow(0, 1, 2).mul(7).sum()).add(u.narrow(0, 0, 2).sum());
        loss.backward();
        assertArrayEquals(new double[] {10, 17, 16}, a.grad().toDoubleArray());
        assertArrayEquals(new double[] {1, 1, 1}, b.grad().toDoubleArray());
        // a leaf's gradient from an earlier backward is never changed by a later one
        Tensor w = vec(1, 2).requiresGrad(true);
        w.mul(2).add(w.mul(3)).add(w).sum().backward();
        Tensor first = w.grad();
        w.mul(2).add(w.mul(3)).add(w).sum().backward();
        assertArrayEquals(new double[] {6, 6}, first.toDoubleArray());
        assertArrayEquals(new double[] {12, 12}, w.grad().toDoubleArray());
    }

    @Test
    void aWeightUsedAtEveryStepSumsItsGradientExactly() {
        // from its third use on, a linear weight's gradient is added by a GEMM straight into the owned sum
        dev.nabla.tensor.Generator gen = new dev.nabla.tensor.Generator(3);
        Tensor w = Tensor.uniform(DType.FLOAT64, gen, -1, 1, 3, 2).requiresGrad(true);
        Tensor[] xs = new Tensor[5];
        Tensor expected = Tensor.zeros(DType.FLOAT64, 3, 2);
        Tensor loss = Tensor.scalar(DType.FLOAT64, 0);
        for (int t = 0; t < xs.length; t++) {
            xs[t] = Tensor.uniform(DType.FLOAT64, gen, -1, 1, 4, 2);
            Tensor c = Tensor.uniform(DType.FLOAT64, gen, -1, 1, 4, 3);
            loss = loss.add(xs[t].linear(w, null).mul(c).sum());
            expected = expected.add(c.t().matmul(xs[t]));
        }
        w.setGrad(Tensor.ones(DType.FLOAT64, 3, 2)); // accumulates onto an earlier gradient, which stays untouched
        Tensor earlier = w.grad();
        loss.backward();
        assertArrayEquals(expected.add(1).toDoubleArray(), w.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(Tensor.ones(DType.FLOAT64, 3, 2).toDoubleArray(), earlier.toDoubleArray());
        // the same when the shared weight is itself computed (its products are summed when it is reached)
        Tensor w0 = Tensor.uniform(DType.FLOAT64, gen, -1, 1, 3, 2).requiresGrad(true);
        Tensor doubled = w0.mul(2);
        Tensor loss2 = Tensor.scalar(DType.FLOAT64, 0);
        Tensor expected2 = Tensor.zeros(DType.FLOAT64, 3, 2);
        for (Tensor x : xs) {
            Tensor c = Tensor.uniform(DType.FLOAT64, gen, -1, 1, 4, 3);
            loss2 = loss2.add(x.linear(doubled, null).mul(c).sum());
            expected2 = expected2.add(c.t().matmul(x).mul(2));
        }
        loss2.backward();
        assertArrayEquals(expected2.toDoubleArray(), w0.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        Tensor w = vec(1, 2).requiresGrad(true);
        w.mul(3).sum().backward();
        w.mul(3).sum().backward();
        assertArrayEquals(new double[] {6, 6}, w.grad().toDoubleArray());
        w.zeroGrad();
        assertNull(w.grad());
    }

    @Test
    void sharedSubexpressionsSumTheirGradients() {
        Tensor x = vec(2).requiresGrad(true);
        Tensor y = x.mul(x);
        y.add(y).sum().backward(); // d/dx 2x² = 4x
        assertArrayEquals(new double[] {8}, x.grad().toDoubleArray());
    }

    @Test
    void leavesNeverShareGradientStorage() {
        Tensor a = vec(1, 2, 3, 4).requiresGrad(true);
        Tensor b = Tensor.fromArray(new double[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        a.add(b.reshape(4)).sum().backward(); // one upstream gradient reaches both leaves
        try (var scope = GradMode.noGrad()) {
            a.grad().fill(7); // an in-place update of one leaf's gradient, as clipping does
        }
        assertArrayEquals(new double[] {1, 1, 1, 1}, b.grad().toDoubleArray());
    }

    @Test
    void noGradScopeRecordsNothingAndRestores() {
        Tensor x = vec(1, 2).requiresGrad(true);
        try (var scope = GradMode.noGrad()) {
            assertFalse(x.mul(2).requiresGrad());
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        assertTrue(x.mul(2).requiresGrad());
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = vec(3).requiresGrad(true);
        Tensor y = x.mul(x.detach().add(1)); // d/dx = x.detach() + 1 = 4
        y.sum().backward();
        assertArrayEquals(new double[] {4}, x.grad().toDoubleArray());
    }

    @Test
    void secondBackwardThroughAFreedGraphFailsClearly() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor loss = x.exp().sum();
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("second time") && e.getMessage().contains("retainGraph"), e.getMessage());
    }

    @Test
    void retainGraphAllowsASecondBackward() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor loss = x.exp().sum();
        loss.backward(Tensor.scalar(DType.FLOAT64, 1), true, false);
        loss.backward();
        assertEquals(2 * Math.E, x.grad().toDoubleArray()[0], 1e-12);
    }

    @Test
    void backwardOnNonScalarNeedsAnUpstreamGradient() {
        Tensor y = vec(1, 2).requiresGrad(true).mul(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("not a scalar"), e.getMessage());
        IllegalArgumentException wrongShape = assertThrows(IllegalArgumentException.class,
                () -> y.backward(Tensor.ones(DType.FLOAT64, 3)));
        assertTrue(wrongShape.getMessage().contains("[3]") && wrongShape.getMessage().contains("[2]"));
    }

    @Test
    void anomalyDetectionNamesTheOpThatProducedNaN() {
        Tensor x = vec(0.0, 1.0).requiresGrad(true);
        Tensor loss = x.sqrt().mul(0).sum(); // d sqrt at 0 is inf, times 0 is NaN
        try (var scope = GradMode.detectAnomaly()) {
            ArithmeticException e = assertThrows(ArithmeticException.class, loss::backward);
            assertTrue(e.getMessage().contains("SQRT") && e.getMessage().contains("NaN"), e.getMessage());
        }
    }

    @Test
    void inPlaceUpdateOfAVariableWhileRecordingFails() {
        Tensor w = vec(1).requiresGrad(true);
        assertThrows(IllegalStateException.class, () -> w.addInPlace(vec(1), 1));
        try (var scope = GradMode.noGrad()) {
            w.addInPlace(vec(1), -0.5);
        }
        assertArrayEquals(new double[] {0.5}, w.toDoubleArray());
    }
}
