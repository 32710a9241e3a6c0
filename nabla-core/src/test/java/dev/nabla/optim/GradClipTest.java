package dev.nabla.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gradient clipping by hand-computed values: a 3-4-5 triangle, skipped parameters, views, bad arguments. */
class GradClipTest {
    private static Tensor withGrad(Tensor grad) {
        Tensor p = grad.zerosLike().requiresGrad(true);
        p.setGrad(grad);
        return p;
    }

    @Test
    void globalNormOfThreeAndFourIsFive() {
        Tensor a = withGrad(Tensor.fromArray(new double[] {3, 0}, 2));
        Tensor b = withGrad(Tensor.fromArray(new double[] {0, 4}, 2));
        Tensor none = Tensor.zeros(DType.FLOAT64, 3).requiresGrad(true);
        double total = GradClip.byGlobalNorm(List.of(a, none, b), 1.0);
        assertEquals(5.0, total, 1e-15);
        double scale = 1.0 / (5.0 + 1e-6);
        assertArrayEquals(new double[] {3 * scale, 0}, a.grad().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0, 4 * scale}, b.grad().toDoubleArray(), 1e-15);
        assertNull(none.grad());
    }

    @Test
    void smallNormIsLeftAlone() {
        Tensor a = withGrad(Tensor.fromArray(new float[] {0.3f, -0.4f}, 2));
        Tensor grad = a.grad();
        assertEquals(0.5, GradClip.byGlobalNorm(List.of(a), 0.5 + 2e-6), 1e-7);
        assertSame(grad, a.grad());
        assertArrayEquals(new float[] {0.3f, -0.4f}, a.grad().toFloatArray());
    }

    @Test
    void viewGradientsAreReplacedNotWrittenThrough() {
        Tensor storage = Tensor.fromArray(new float[] {9, 6, 8, 9}, 4);
        Tensor a = Tensor.zeros(2).requiresGrad(true);
        a.setGrad(storage.narrow(0, 1, 2));
        assertEquals(10.0, GradClip.byGlobalNorm(List.of(a), 5), 1e-5);
        assertArrayEquals(new float[] {3, 4}, a.grad().toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {9, 6, 8, 9}, storage.toFloatArray());
        Tensor b = Tensor.zeros(2).requiresGrad(true);
        b.setGrad(storage.narrow(0, 0, 2));
        GradClip.byValue(List.of(b), 7);
        assertArrayEquals(new float[] {7, 6}, b.grad().toFloatArray());
        assertArrayEquals(new float[] {9, 6, 8, 9}, storage.toFloatArray());
    }

    @Test
    void byValueClampsBothSides() {
        Tensor a = withGrad(Tensor.fromArray(new float[] {-3, -0.5f, 0.5f, 3}, 4));
        GradClip.byValue(List.of(a), 1);
        assertArrayEquals(new float[] {-1, -0.5f, 0.5f, 1}, a.grad().toFloatArray());
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor a = withGrad(Tensor.ones(2));
        var e = assertThrows(IllegalArgumentException.class, () -> GradClip.byGlobalNorm(List.of(a), -1));
        assertTrue(e.getMessage().contains("maxNorm") && e.getMessage().contains("-1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradClip.byValue(List.of(a), Double.NaN));
        assertTrue(e.getMessage().contains("clip") && e.getMessage().contains("NaN"), e.getMessage());
    }
}
