package dev.nabla.cli.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A grid of test images the model got wrong, each enlarged {@value #SCALE}× and captioned "pred X / true Y":
 * {@value #COLUMNS} per row, at most {@value #MAX_IMAGES}, in the order given.
 */
public final class MisclassifiedGrid {
    /** Images per row. */
    public static final int COLUMNS = 6;
    /** At most this many images are drawn. */
    public static final int MAX_IMAGES = 36;
    /** Pixel enlargement. */
    public static final int SCALE = 3;
    private static final int PAD = 8;
    private static final int CAPTION = 18;

    /** One wrong prediction: its test index, grey levels in [0, 1] (row-major), predicted and true class. */
    record Sample(int index, float[] pixels, int predicted, int actual) {}

    private MisclassifiedGrid() {}

    /** The width of one cell in pixels, for images {@code cols} wide. */
    public static int cellWidth(int cols) {
        return Math.max(cols * SCALE, 96) + 2 * PAD;
    }

    /** The height of one cell in pixels, for images {@code rows} high. */
    public static int cellHeight(int rows) {
        return rows * SCALE + CAPTION + 2 * PAD;
    }

    /** The grid as PNG (images of {@code rows} × {@code cols} pixels); at most {@link #MAX_IMAGES} are drawn. */
    static byte[] png(List<Sample> samples, int rows, int cols) {
        int n = Math.min(samples.size(), MAX_IMAGES);
        int gridRows = Math.max(1, (n + COLUMNS - 1) / COLUMNS);
        int cw = cellWidth(cols);
        int ch = cellHeight(rows);
        BufferedImage image = new BufferedImage(COLUMNS * cw, gridRows * ch, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i < n; i++) {
                Sample s = samples.get(i);
                int x0 = (i % COLUMNS) * cw + (cw - cols * SCALE) / 2;
                int y0 = (i / COLUMNS) * ch + PAD;
                g.drawImage(digit(s.pixels(), rows, cols), x0, y0, cols * SCALE, rows * SCALE, null);
                String caption = "pred " + s.predicted() + " / true " + s.actual();
                int tx = (i % COLUMNS) * cw + (cw - fm.stringWidth(caption)) / 2;
                g.setColor(new Color(0xb91c1c));
                g.drawString(caption, tx, y0 + rows * SCALE + fm.getAscent() + 3);
            }
        } finally {
            g.dispose();
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageIO.write(image, "png", bytes);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BufferedImage digit(float[] pixels, int rows, int cols) {
        BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int v = Math.round(Math.max(0f, Math.min(1f, pixels[r * cols + c])) * 255);
                img.getRaster().setSample(c, r, 0, v);
            }
        }
        return img;
    }
}
