package dev.nabla.cli;

import dev.nabla.tensor.Tensor;
import dev.nabla.train.Model;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nabla predict}: classifies images with a saved model. Each image is converted to grayscale, scaled to the
 * model's input size, and inverted when its background is light, since MNIST digits are light on dark.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, description = "Classify PNG images with a saved model.")
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model file written by nabla train --out.")
    Path modelFile;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "PNG (or JPEG, GIF, BMP) images.")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(modelFile)) {
            throw new IllegalArgumentException("model file not found: " + modelFile);
        }
        Model net = Model.load(modelFile);
        int[] inputShape = net.inputShape();
        boolean channel = inputShape.length == 3 && inputShape[0] == 1;
        int[] shape = channel ? new int[] {inputShape[1], inputShape[2]} : inputShape;
        if (shape.length != 2) {
            throw new IllegalArgumentException("model " + modelFile + " does not take 2-d images (input shape "
                    + java.util.Arrays.toString(shape) + ")");
        }
        for (Path image : images) {
            float[] pixels = toModelInput(image, shape[0], shape[1]);
            Tensor input = channel ? Tensor.fromArray(pixels, 1, 1, shape[0], shape[1])
                    : Tensor.fromArray(pixels, 1, shape[0], shape[1]);
            Tensor probabilities = net.predict(input, 1).softmax(1);
            float[] p = probabilities.toFloatArray();
            int best = 0;
            for (int i = 1; i < p.length; i++) {
                if (p[i] > p[best]) {
                    best = i;
                }
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s: %d (p=%.4f)  [", image, best, p[best]));
            for (int i = 0; i < p.length; i++) {
                line.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%d: %.4f", i, p[i]));
            }
            System.out.println(line.append(']'));
        }
        return 0;
    }

    /** Grayscale in [0, 1], scaled to rows × cols, light-on-dark. */
    static float[] toModelInput(Path file, int rows, int cols) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("image not found: " + file);
        }
        BufferedImage source = ImageIO.read(file.toFile());
        if (source == null) {
            throw new IllegalArgumentException(file + ": not a readable image (PNG, JPEG, GIF or BMP)");
        }
        BufferedImage gray = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = gray.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(source.getScaledInstance(cols, rows, java.awt.Image.SCALE_AREA_AVERAGING), 0, 0, null);
        g.dispose();
        float[] pixels = new float[rows * cols];
        double mean = 0;
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                pixels[y * cols + x] = (gray.getRaster().getSample(x, y, 0) & 0xff) / 255f;
                mean += pixels[y * cols + x];
            }
        }
        if (mean / pixels.length > 0.5) {
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = 1 - pixels[i];
            }
        }
        return pixels;
    }
}
