package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Creation, views, conversion, printing, and the errors bad input must produce. */
class TensorTest {
    private static void assertClose(double[] expected, double[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2e-6 * (1 + Math.abs(expected[i])), what + " at " + i);
        }
    }

    @Test
    void float32LogSoftmaxRowsMatchFloat64() {
        // float32 rows of the last dimension take the fused kernel, forward and backward; other dims the tensor ops
        for (int dim : new int[] {1, 0}) {
            Tensor x = Tensor.uniform(DType.FLOAT64, new Generator(9), -30, 30, 37, 53);
            Tensor g = Tensor.uniform(DType.FLOAT64, new Generator(10), -1, 1, 37, 53);
            Tensor x64 = x.requiresGrad(true);
            Tensor y64 = x64.logSoftmax(dim);
            y64.backward(g);
            Tensor x32 = x.detach().to(DType.FLOAT32).requiresGrad(true);
            Tensor y32 = x32.logSoftmax(dim);
            y32.backward(g.to(DType.FLOAT32));
            assertClose(y64.toDoubleArray(), y32.toDoubleArray(), "log softmax, dim " + dim);
            assertClose(x64.grad().toDoubleArray(), x32.grad().toDoubleArray(), "gradient, dim " + dim);
        }
    }

    @Test
    void creation() {
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0}, Tensor.zeros(2, 3).toFloatArray());
        assertArrayEquals(new float[] {7, 7}, Tensor.full(7, 2).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 2, 3}, Tensor.arange(4).toFloatArray());
        assertArrayEquals(new float[] {1, 1.5f, 2, 2.5f}, Tensor.arange(1, 3, 0.5).toFloatArray());
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, Tensor.eye(3).toFloatArray());
        assertEquals(0, Tensor.scalar(2.5).dim());
        assertEquals(2.5, Tensor.scalar(2.5).item());
        assertEquals(DType.FLOAT64, Tensor.zeros(DType.FLOAT64, 2).dtype());
    }

    @Test
    void randomTensorsAreReproducibleFromTheSeed() {
        float[] a = Tensor.randn(new Generator(42), 100).toFloatArray();
        float[] b = Tensor.randn(new Generator(42), 100).toFloatArray();
        float[] c = Tensor.randn(new Generator(43), 100).toFloatArray();
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
        double mean = 0;
        double sq = 0;
        float[] big = Tensor.normal(new Generator(1), 3, 2, 20000).toFloatArray();
        for (float v : big) {
            mean += v;
            sq += v * v;
        }
        mean /= big.length;
        double std = Math.sqrt(sq / big.length - mean * mean);
        assertEquals(3, mean, 0.05);
        assertEquals(2, std, 0.05);
        for (float v : Tensor.uniform(new Generator(2), -1, 1, 1000).toFloatArray()) {
            assertTrue(v >= -1 && v < 1);
        }
    }

    @Test
    void generatorStateRoundTrips() {
        Generator g = new Generator(5);
        g.nextGaussian();
        long[] state = g.state();
        double next = g.nextGaussian();
        double after = g.nextDouble();
        Generator h = new Generator(0);
        h.setState(state);
        assertEquals(next, h.nextGaussian());
        assertEquals(after, h.nextDouble());
    }

    @Test
    void viewsShareStorageAndReadCorrectly() {
        Tensor x = Tensor.arange(6).reshape(2, 3);
        Tensor t = x.t();
        assertArrayEquals(new int[] {3, 2}, t.shape());
        assertFalse(t.isContiguous());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.toFloatArray());
        assertEquals(4.0, t.get(1, 1));
        assertArrayEquals(new float[] {1, 4}, x.select(1, 1).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 2, 0, 1, 2}, Tensor.arange(3).expand(2, 3).toFloatArray());
        assertArrayEquals(new int[] {2, 1, 3}, x.unsqueeze(1).shape());
        assertArrayEquals(new int[] {6}, x.flatten().shape());
        assertArrayEquals(new int[] {3, 2}, x.reshape(-1, 2).shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.contiguous().toFloatArray());
    }

    @Test
    void reductionsAndArgmax() {
        Tensor x = Tensor.fromArray(new float[][] {{1, 5, 3}, {4, 2, 6}});
        assertArrayEquals(new float[] {5, 7, 9}, x.sum(0, false).toFloatArray());
        assertArrayEquals(new float[] {1, 2}, x.argmax(1, false).toFloatArray());
        assertEquals(5.0, x.argmax().item());
        assertArrayEquals(new float[] {1, 2}, x.min(1, false).toFloatArray());
        assertEquals(3.5, x.mean().item(), 1e-6);
        assertArrayEquals(new int[] {2, 1}, x.max(1, true).shape());
    }

    @Test
    void matmulOfTransposedViewsUsesNoCopyAndIsRight() {
        Tensor a = Tensor.arange(6).reshape(3, 2); // a.t() is [2,3]
        Tensor b = Tensor.arange(12).reshape(4, 3); // b.t() is [3,4]
        float[] expected = new float[8];
        float[] av = a.t().toFloatArray();
        float[] bv = b.t().toFloatArray();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                for (int k = 0; k < 3; k++) {
                    expected[i * 4 + j] += av[i * 3 + k] * bv[k * 4 + j];
                }
            }
        }
        assertArrayEquals(expected, a.t().matmul(b.t()).toFloatArray());
    }

    @Test
    void toStringShowsValuesShapeAndDtype() {
        assertEquals("tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], shape=[2, 2], dtype=float32)",
                Tensor.fromArray(new float[][] {{1, 2}, {3, 4}}).toString());
        assertEquals("tensor(2.5000, shape=[], dtype=float64)", Tensor.scalar(DType.FLOAT64, 2.5).toString());
        String big = Tensor.arange(2000).toString();
        assertTrue(big.startsWith("tensor([0.0000, 1.0000, 2.0000, ..., 1997.0000, 1998.0000, 1999.0000]"), big);
        assertTrue(Tensor.ones(2).requiresGrad(true).mul(2).toString().contains("gradFn=MUL"));
    }

    @Test
    void shapeMismatchNamesOpAndShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(32, 784).matmul(Tensor.zeros(128, 10)));
        assertEquals("matmul: [32, 784] x [128, 10]: inner dimensions 784 and 128 differ", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("add") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"),
                e.getMessage());
    }

    @Test
    void wrongRankAndOutOfRangeDimensionOrIndex() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3).t()).getMessage()
                .contains("2-d"));
        IllegalArgumentException dim = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).sum(2, false));
        assertTrue(dim.getMessage().contains("dimension 2") && dim.getMessage().contains("rank 2"), dim.getMessage());
        IndexOutOfBoundsException idx = assertThrows(IndexOutOfBoundsException.class,
                () -> Tensor.zeros(2, 3).indexSelect(0, 0, 5));
        assertTrue(idx.getMessage().contains("index 5"), idx.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> Tensor.zeros(2, 3).get(2, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Tensor.zeros(2, 3).narrow(1, 2, 2));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Tensor.zeros(2, 3).gather(1, Tensor.fromArray(new float[] {0, 3}, 2, 1)));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(6).reshape(4, -1));
        assertThrows(IllegalStateException.class, () -> Tensor.zeros(2).item());
    }

    @Test
    void dtypeMixIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(2).add(Tensor.zeros(DType.FLOAT64, 2)));
        assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("float64"), e.getMessage());
    }

    @Test
    void fromArrayChecksLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.fromArray(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("5 values") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void reluKeepsNaNInEveryDtypeAndLayout() {
        // as PyTorch: relu(NaN) is NaN, negative values and -0 give +0; contiguous float32 takes the vector kernel,
        // a strided view and float64 the scalar path, and all three must agree
        double[] values = {Double.NaN, -1.5, -0.0, 0.0, 2.5, Double.NEGATIVE_INFINITY};
        double[] expected = {Double.NaN, 0, 0, 0, 2.5, 0};
        Tensor x64 = Tensor.fromArray(values, 2, 3);
        Tensor x32 = x64.to(DType.FLOAT32);
        Tensor strided = Tensor.fromArray(values, 3, 2).to(DType.FLOAT32).mT(); // a transposed view
        for (Tensor y : new Tensor[] {x64.relu(), x32.relu(), strided.relu().mT().contiguousCopy().reshape(2, 3)}) {
            double[] got = y.toDoubleArray();
            for (int i = 0; i < values.length; i++) {
                assertEquals(expected[i], got[i], 0.0, y.dtype() + " element " + i);
                assertFalse(Double.doubleToRawLongBits(got[i]) == Double.doubleToRawLongBits(-0.0),
                        y.dtype() + " element " + i + " is -0");
            }
        }
    }

    /**
     * Every elementwise activation keeps NaN (as PyTorch does) and agrees across the three paths: contiguous float32
     * (vector kernels for the first 32 of 40 elements, scalar for the tail), a strided float32 view, and float64.
     */
    @Test
    void activationsKeepNaNInEveryDtypeAndLayout() {
        double[] values = new double[40];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i * 0.37) % 5 - 2.5;
        }
        for (int at : new int[] {3, 17, 33, 39}) { // in both vector blocks and in the scalar tail
            values[at] = Double.NaN;
        }
        values[5] = Double.POSITIVE_INFINITY;
        values[21] = Double.NEGATIVE_INFINITY;
        Map<String, java.util.function.UnaryOperator<Tensor>> ops = new LinkedHashMap<>();
        ops.put("relu", Tensor::relu);
        ops.put("leakyRelu", t -> t.leakyRelu(0.1));
        ops.put("sigmoid", Tensor::sigmoid);
        ops.put("tanh", Tensor::tanh);
        ops.put("gelu", Tensor::gelu);
        ops.put("softplus", Tensor::softplus);
        ops.put("exp", Tensor::exp);
        ops.put("abs", Tensor::abs);
        ops.put("sign", Tensor::sign);
        ops.put("square", Tensor::square);
        ops.put("clamp", t -> t.clamp(-1, 1));
        Tensor x64 = Tensor.fromArray(values, 4, 10);
        Tensor x32 = x64.to(DType.FLOAT32);
        assertEquals(Double.POSITIVE_INFINITY, x32.softplus().toDoubleArray()[5], "softplus(+inf), as PyTorch's");
        assertEquals(0.0, x64.softplus().toDoubleArray()[21], "softplus(-inf)");
        Tensor strided = x32.mT().contiguousCopy().mT(); // the same values as a transposed view
        assertFalse(strided.isContiguous());
        for (var op : ops.entrySet()) {
            double[] expected = op.getValue().apply(x64).toDoubleArray();
            double[] contiguous = op.getValue().apply(x32).toDoubleArray();
            double[] view = op.getValue().apply(strided).contiguousCopy().toDoubleArray();
            for (int i = 0; i < values.length; i++) {
                String where = op.getKey() + "(" + values[i] + ") at " + i;
                if (Double.isNaN(values[i]) || Double.isNaN(expected[i])) { // gelu(-inf) is NaN, as in PyTorch
                    assertTrue(Double.isNaN(expected[i]) && Double.isNaN(contiguous[i]) && Double.isNaN(view[i]),
                            where + ": float64 " + expected[i] + ", float32 " + contiguous[i] + ", view " + view[i]);
                    assertTrue(Double.isNaN(values[i]) || op.getKey().equals("gelu"), where + " is NaN");
                } else {
                    double tol = Double.isInfinite(expected[i]) ? 0 : 1e-5 * Math.max(1, Math.abs(expected[i]));
                    assertEquals(expected[i], contiguous[i], tol, where + " float32");
                    assertEquals(expected[i], view[i], tol, where + " strided float32");
                }
            }
        }
    }

    @Test
    void extremeSigmoidAndSoftmaxStayFinite() {
        Tensor x = Tensor.of(-1e4f, 0, 1e4f);
        assertArrayEquals(new float[] {0, 0.5f, 1}, x.sigmoid().toFloatArray());
        float[] s = x.softmax(0).toFloatArray();
        assertArrayEquals(new float[] {0, 0, 1}, s);
        float[] ls = x.logSoftmax(0).toFloatArray();
        assertEquals(-2e4f, ls[0]);
        assertNotEquals(Float.NaN, ls[1]);
    }
}
