package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.cli.report.MisclassifiedGrid;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nabla train --report DIR}: the pictures decode, and report.html shows them and the run's numbers. */
class TrainReportCommandTest {
    private static final String SAMPLE = Path.of("..", "testdata", "mnist-small").toString();
    private static final List<String> PICTURES = List.of("loss.png", "accuracy.png", "confusion_matrix.png",
            "misclassified.png");

    @TempDir
    static Path dir;
    static String stdout;
    static String html;
    static String metricsJson;
    static String reportJson;

    @BeforeAll
    static void train() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            code = Nabla.run("train", "--dataset", SAMPLE, "--epochs", "2", "--report", dir.resolve("report").toString(),
                    "--metrics-json", dir.resolve("metrics.json").toString(), "--tensorboard",
                    dir.resolve("tb").toString());
        } finally {
            System.setOut(out);
        }
        stdout = o.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, stdout);
        html = Files.readString(dir.resolve("report").resolve("report.html"));
        metricsJson = Files.readString(dir.resolve("metrics.json"));
        reportJson = Files.readString(dir.resolve("report").resolve("report.json"));
    }

    @Test
    void picturesDecodeWithSensibleSizes() throws Exception {
        for (String name : PICTURES) {
            BufferedImage image = ImageIO.read(dir.resolve("report").resolve(name).toFile());
            assertNotNull(image, name + " does not decode as an image");
            assertTrue(image.getWidth() >= 300 && image.getWidth() <= 2000 && image.getHeight() >= 100
                    && image.getHeight() <= 2000, name + ": " + image.getWidth() + "x" + image.getHeight());
            assertTrue(distinctColours(image) > 2, name + " is blank");
        }
        BufferedImage grid = ImageIO.read(dir.resolve("report").resolve("misclassified.png").toFile());
        int shown = intField(reportJson, "misclassified_shown");
        int gridRows = (shown + MisclassifiedGrid.COLUMNS - 1) / MisclassifiedGrid.COLUMNS;
        assertEquals(MisclassifiedGrid.COLUMNS * MisclassifiedGrid.cellWidth(28), grid.getWidth());
        assertEquals(gridRows * MisclassifiedGrid.cellHeight(28), grid.getHeight());
    }

    @Test
    void pageEmbedsEveryPictureAndRequestsNothingOutside() throws Exception {
        for (String name : PICTURES) {
            String id = name.replace(".png", "");
            Matcher m = Pattern.compile("<img id=\"" + id + "\"[^>]* src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")
                    .matcher(html);
            assertTrue(m.find(), "report.html does not embed " + name);
            assertArrayEquals(Files.readAllBytes(dir.resolve("report").resolve(name)),
                    Base64.getDecoder().decode(m.group(1)), name + " embedded differs from the file");
        }
        assertFalse(Pattern.compile("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//").matcher(html).find(),
                "an external src or href");
        assertFalse(html.contains("http://") || html.contains("https://"), "an external URL in report.html");
        assertFalse(html.contains("<script") || html.contains("<link"), "scripts or linked files in report.html");
    }

    @Test
    void pageShowsSummaryGraphAndMetricsOfTheRun() {
        assertTrue(html.contains("Total params: 235,146"), "model summary missing");
        assertTrue(html.contains("<svg") && html.contains("LINEAR") && html.contains("1.weight"), "graph missing");
        assertTrue(html.contains("flowchart TD") && html.contains("digraph nabla"), "graph sources missing");

        List<Map<String, Double>> expected = epochsOfMetricsJson(metricsJson);
        List<Map<String, Double>> shown = metricsTable(html);
        assertEquals(2, expected.size());
        assertEquals(expected.size(), shown.size(), "rows of the metrics table");
        for (int e = 0; e < expected.size(); e++) {
            for (String key : List.of("loss", "accuracy", "val_loss", "val_accuracy", "seconds")) {
                double want = expected.get(e).get(key);
                double got = shown.get(e).get(key);
                double tolerance = key.equals("seconds") ? 0.006 : 6e-5; // shown to 0.01 and 1e-4
                assertEquals(want, got, tolerance, "epoch " + (e + 1) + " " + key);
            }
        }
    }

    @Test
    void confusionMatrixAndGridCountTheTestSet() {
        int testSize = intField(metricsJson, "test_size");
        assertEquals(500, testSize);
        Matcher accuracy = Pattern.compile("test accuracy: [0-9.]+ \\((\\d+)/(\\d+)\\)").matcher(stdout);
        assertTrue(accuracy.find(), stdout);
        int correct = Integer.parseInt(accuracy.group(1));

        Matcher matrix = Pattern.compile("\"confusion_matrix\": \\[(.*)\\]\\}").matcher(reportJson);
        assertTrue(matrix.find(), reportJson);
        String[] rows = matrix.group(1).split("\\],\\s*\\[");
        assertEquals(10, rows.length);
        int sum = 0;
        int trace = 0;
        for (int t = 0; t < rows.length; t++) {
            String[] cells = rows[t].replaceAll("[\\[\\]\\s]", "").split(",");
            assertEquals(10, cells.length);
            for (int p = 0; p < cells.length; p++) {
                int count = Integer.parseInt(cells[p]);
                sum += count;
                trace += t == p ? count : 0;
            }
        }
        assertEquals(testSize, sum, "confusion matrix counts");
        assertEquals(correct, trace, "confusion matrix diagonal");
        assertEquals(correct, intField(reportJson, "correct"));

        int wrong = testSize - correct;
        assertTrue(wrong > 0, "two epochs on 1000 images should leave some test images wrong");
        assertEquals(wrong, intField(reportJson, "misclassified"));
        int shown = Math.min(wrong, MisclassifiedGrid.MAX_IMAGES);
        assertEquals(shown, intField(reportJson, "misclassified_shown"));
        assertTrue(html.contains("Showing <span id=\"shown\">" + shown + "</span> of " + wrong + " misclassified"),
                "grid count in report.html");
        assertTrue(html.contains("<b>" + correct + " / " + testSize + "</b>"), "correct count in report.html");
    }

    @Test
    void tensorBoardOptionWritesEventFiles() throws Exception {
        for (String run : List.of("train", "validation")) {
            try (var files = Files.list(dir.resolve("tb").resolve(run))) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("events.out.tfevents.")), run);
            }
        }
    }

    private static int distinctColours(BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }

    private static int intField(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (\\d+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Integer.parseInt(m.group(1));
    }

    private static List<Map<String, Double>> epochsOfMetricsJson(String json) {
        List<Map<String, Double>> epochs = new ArrayList<>();
        Matcher e = Pattern.compile("\\{\"epoch\": \\d+([^}]*)\\}").matcher(json);
        while (e.find()) {
            Map<String, Double> values = new HashMap<>();
            Matcher kv = Pattern.compile("\"(\\w+)\": ([-+0-9.eE]+)").matcher(e.group(1));
            while (kv.find()) {
                values.put(kv.group(1), Double.parseDouble(kv.group(2)));
            }
            epochs.add(values);
        }
        return epochs;
    }

    private static List<Map<String, Double>> metricsTable(String page) {
        int start = page.indexOf("<table id=\"metrics\">");
        assertTrue(start >= 0, "no metrics table");
        String table = page.substring(start, page.indexOf("</table>", start));
        List<Map<String, Double>> rows = new ArrayList<>();
        for (String row : table.split("<tr><td>")) {
            if (!row.contains("data-key")) {
                continue;
            }
            Map<String, Double> values = new HashMap<>();
            Matcher cell = Pattern.compile("<td data-key=\"(\\w+)\">([^<]*)</td>").matcher(row);
            while (cell.find()) {
                values.put(cell.group(1), Double.parseDouble(cell.group(2)));
            }
            rows.add(values);
        }
        return rows;
    }
}
