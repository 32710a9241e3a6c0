package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A prepared linear map gives linear's values and gradients, and linear's errors. */
class PreparedLinearTest {
    @Test
    void sameValuesAndGradientsAsLinear() {
        for (DType dtype : DType.values()) {
            Generator g = new Generator(4);
            Tensor w = Tensor.uniform(dtype, g, -1, 1, 70, 40).requiresGrad(true);
            Tensor b = Tensor.uniform(dtype, g, -1, 1, 70).requiresGrad(true);
            Tensor wide = Tensor.uniform(dtype, g, -1, 1, 5, 80).requiresGrad(true);
            Tensor x = wide.narrow(1, 40, 40); // a strided view, as a recurrent state is
            Tensor seed = Tensor.uniform(dtype, g, -1, 1, 5, 70);
            Tensor expected = x.linear(w, b);
            Tensor[] grads = Tensor.gradients(expected, new Tensor[] {wide, w, b}, seed, true, false);
            Tensor actual = PreparedLinear.of(w, b).apply(x);
            Tensor[] prepared = Tensor.gradients(actual, new Tensor[] {wide, w, b}, seed, false, false);
            double tol = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
            assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), tol, dtype + " values");
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(grads[i].toDoubleArray(), prepared[i].toDoubleArray(), tol, dtype + " gradient " + i);
            }
            assertEquals(Prim.LINEAR, actual.gradFn());
        }
    }

    @Test
    void errorsAreLinears() {
        PreparedLinear p = PreparedLinear.of(Tensor.zeros(3, 4), null);
        var e = assertThrows(IllegalArgumentException.class, () -> p.apply(Tensor.zeros(2, 5)));
        assertEquals("linear: input [2, 5] and weight [3, 4] [out, in]: the input must end in the weight's in-size",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PreparedLinear.of(Tensor.zeros(3), null));
    }
}
