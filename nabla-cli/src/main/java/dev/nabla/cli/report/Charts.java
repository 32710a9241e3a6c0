package dev.nabla.cli.report;

import dev.nabla.train.History;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.HeatMapStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's charts, drawn by XChart and encoded as PNG. */
final class Charts {
    static final int CURVE_WIDTH = 640;
    static final int CURVE_HEIGHT = 400;
    static final int MATRIX_SIZE = 620;

    private static final Color TRAIN = new Color(0x1f77b4);
    private static final Color VALIDATION = new Color(0xff7f0e);

    private Charts() {}

    /** One metric per epoch (x from 1), the training value and, when recorded, the validation value. */
    static byte[] curve(History history, String metric) throws IOException {
        XYChart chart = new XYChart(CURVE_WIDTH, CURVE_HEIGHT);
        chart.setTitle(metric + " per epoch");
        chart.setXAxisTitle("epoch");
        chart.setYAxisTitle(metric);
        XYStyler style = chart.getStyler();
        style.setChartBackgroundColor(Color.WHITE);
        style.setLegendPosition(Styler.LegendPosition.OutsideS);
        style.setLegendLayout(Styler.LegendLayout.Horizontal);
        style.setPlotGridLinesColor(new Color(0xe5e7eb));
        style.setAntiAlias(true);
        // With a formatting function XChart puts a tick at every epoch; long runs label every step-th one.
        int epochs = history.epochs().size();
        int step = Math.max(1, (epochs + 14) / 15);
        style.setxAxisTickLabelsFormattingFunction(x -> Math.abs(x - Math.rint(x)) < 1e-6
                && (Math.round(x) - 1) % step == 0 ? String.format(Locale.ROOT, "%d", Math.round(x)) : "");
        style.setYAxisDecimalPattern("0.####");
        style.setXAxisMin(epochs == 1 ? 0.0 : 1.0);
        style.setXAxisMax(epochs == 1 ? 2.0 : (double) epochs);
        add(chart, "train", history, metric, TRAIN);
        add(chart, "validation", history, "val_" + metric, VALIDATION);
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    private static void add(XYChart chart, String name, History history, String key, Color color) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (int e = 0; e < history.epochs().size(); e++) {
            Double v = history.epochs().get(e).get(key);
            if (v != null && Double.isFinite(v)) {
                x.add(e + 1.0);
                y.add(v);
            }
        }
        if (!x.isEmpty()) {
            XYSeries series = chart.addSeries(name, x, y);
            series.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(color).setLineColor(color);
        }
    }

    /** The confusion matrix as a heat map with counts: rows (y, top to bottom) true class, columns predicted. */
    static byte[] confusionMatrix(int[][] matrix) throws IOException {
        int n = matrix.length;
        // The builder applies the theme's defaults (range colours among them); the bare constructor leaves them unset.
        HeatMapChart chart = new HeatMapChartBuilder().width(MATRIX_SIZE + 80).height(MATRIX_SIZE).build();
        chart.setTitle("confusion matrix (test set)");
        chart.setXAxisTitle("predicted class");
        chart.setYAxisTitle("true class");
        int[] columns = new int[n];
        int[] rows = new int[n];
        List<String> columnLabels = new ArrayList<>();
        List<String> rowLabels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            columnLabels.add(Integer.toString(i));
            rowLabels.add(Integer.toString(n - 1 - i)); // y grows upwards: the last row is drawn at the bottom
            columns[i] = i;
            rows[i] = i;
        }
        List<Number[]> cells = new ArrayList<>();
        int max = 1;
        for (int t = 0; t < n; t++) {
            for (int p = 0; p < n; p++) {
                cells.add(new Number[] {p, n - 1 - t, matrix[t][p]});
                max = Math.max(max, matrix[t][p]);
            }
        }
        chart.addSeries("count", columnLabels, rowLabels, cells);
        HeatMapStyler style = chart.getStyler();
        style.setChartBackgroundColor(Color.WHITE);
        style.setShowValue(true);
        style.setHeatMapValueDecimalPattern("0");
        style.setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, n > 20 ? 8 : 13));
        style.setValueFontColor(Color.BLACK);
        style.setRangeColors(new Color[] {Color.WHITE, new Color(0x9ecae1), new Color(0x4292c6)});
        style.setMin(0);
        style.setMax(max);
        style.setDrawBorder(true);
        style.setAntiAlias(true);
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }
}
