package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.io.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line on the 1,000-digit MNIST sample: train, eval, predict, and one-line errors. */
class NablaCommandTest {
    private static final String SAMPLE = Path.of("..", "testdata", "mnist-small").toString();

    private static String[] run(String... args) {
        return CliRun.run(args);
    }

    /** The top-level help and every command's help render without a picocli warning (an unescaped % did). */
    @Test
    void everyHelpRendersWithoutWarnings() {
        String[] top = run("--help");
        assertEquals("0", top[0], top[2]);
        assertTrue(top[2].isEmpty(), "stderr: " + top[2]);
        List<String> commands = Pattern.compile("(?m)^  ([a-z][a-z-]*)  ").matcher(top[1].split("Commands:")[1])
                .results().map(r -> r.group(1)).toList();
        assertTrue(commands.containsAll(List.of("train", "eval", "predict", "train-lm", "embed")), commands.toString());
        for (String command : commands) {
            String[] r = run(command, "--help");
            assertEquals("0", r[0], command + ": " + r[2]);
            assertTrue(r[1].startsWith("Usage: nabla " + command), command + ": " + r[1]);
            assertTrue(r[2].isEmpty(), command + " --help wrote to stderr: " + r[2]);
        }
        String lm = run("train-lm", "--help")[1].replaceAll("\\s+", " ");
        assertTrue(lm.contains("the first 90% of the characters train, the last 10% are held out"), lm);
    }

    @Test
    void trainSavesEvaluatesAndPredicts(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("metrics.json");
        String[] r = run("train", "--dataset", SAMPLE, "--epochs", "3", "--seed", "7", "--out", dir.toString(),
                "--metrics-json", json.toString());
        assertEquals("0", r[0], r[2]);
        Matcher m = Pattern.compile("test accuracy: (0\\.\\d{4}) \\((\\d+)/500\\)\\n$").matcher(r[1]);
        assertTrue(m.find(), r[1]);
        double accuracy = Double.parseDouble(m.group(1));
        assertTrue(accuracy > 0.75, "accuracy " + accuracy);
        assertTrue(r[1].contains("Epoch 3/3"), r[1]);

        Map<String, Object> metrics = Json.parseObject(Files.readString(json));
        assertEquals(1000L, metrics.get("train_size"));
        assertEquals(500L, metrics.get("test_size"));
        assertEquals(accuracy, (Double) metrics.get("test_accuracy"), 1e-4);
        List<?> epochs = (List<?>) metrics.get("epochs");
        assertEquals(3, epochs.size());
        Map<?, ?> last = (Map<?, ?>) epochs.get(2);
        for (String key : List.of("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds")) {
            assertTrue(last.containsKey(key), key + " in " + last);
        }

        Path model = dir.resolve("model.safetensors");
        String[] eval = run("eval", "--model", model.toString(), "--dataset", SAMPLE);
        assertEquals("0", eval[0], eval[2]);
        assertTrue(eval[1].endsWith("test accuracy: " + m.group(1) + " (" + m.group(2) + "/500)\n"), eval[1]);

        Path png = dir.resolve("blank.png");
        ImageIO.write(new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        String[] predict = run("predict", "--model", model.toString(), png.toString());
        assertEquals("0", predict[0], predict[2]);
        assertTrue(predict[1].matches("(?s).*blank\\.png: \\d \\(p=0\\.\\d{4}\\)  \\[0: .*9: 0\\.\\d{4}\\]\\n"), predict[1]);

        String[] sameSeed = run("train", "--dataset", SAMPLE, "--epochs", "3", "--seed", "7");
        assertTrue(sameSeed[1].endsWith("test accuracy: " + m.group(1) + " (" + m.group(2) + "/500)\n"),
                "same seed, same result: " + sameSeed[1]);
    }

    @Test
    void trainsTheCnnWithAugmentationForOneEpochAboveChance(@TempDir Path dir) throws Exception {
        String[] r = run("train", "--model", "cnn", "--augment", "--dataset", SAMPLE, "--epochs", "1", "--batch-size",
                "64", "--limit", "640", "--seed", "3", "--out", dir.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("(None, 64, 7, 7)") && r[1].contains("augmentation: translation ±2 px"), r[1]);
        Matcher m = Pattern.compile("test accuracy: (0\\.\\d{4}) \\((\\d+)/500\\)\\n$").matcher(r[1]);
        assertTrue(m.find(), r[1]);
        assertTrue(Double.parseDouble(m.group(1)) > 0.3, "well above chance (0.1): " + m.group(1));

        String[] eval = run("eval", "--model", dir.resolve("model.safetensors").toString(), "--dataset", SAMPLE);
        assertEquals("0", eval[0], eval[2]);
        assertTrue(eval[1].endsWith("test accuracy: " + m.group(1) + " (" + m.group(2) + "/500)\n"), eval[1]);
    }

    @Test
    void badInputGivesOneLineErrorsAndNonZeroExit(@TempDir Path dir) throws Exception {
        String[] r = run("train", "--epochs", "many");
        assertEquals("2", r[0]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertTrue(r[2].startsWith("nabla train: Invalid value for option '--epochs'"), r[2]);

        r = run("eval", "--model", dir.resolve("missing.safetensors").toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("nabla eval: model file not found") && r[2].strip().lines().count() == 1, r[2]);

        r = run("train", "--dataset", dir.toString(), "--epochs", "1");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("missing train-images-idx3-ubyte") && !r[2].contains("\tat "), r[2]);

        Path notAModel = dir.resolve("bad.safetensors");
        Files.writeString(notAModel, "not a model");
        r = run("eval", "--model", notAModel.toString(), "--dataset", SAMPLE);
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("nabla eval: ") && r[2].contains("bad.safetensors") && !r[2].contains("\tat "), r[2]);

        r = run("train", "--model", "transformer", "--dataset", SAMPLE);
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("unknown model 'transformer'"), r[2]);
    }
}
