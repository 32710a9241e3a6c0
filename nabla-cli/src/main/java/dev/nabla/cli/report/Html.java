package dev.nabla.cli.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The report page: one self-contained HTML file (inline CSS, images as data URIs, no external requests). */
final class Html {
    private static final String CSS = String.join("\n",
            "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0;"
                    + "background:#f6f7f9;color:#111827}",
            "main{max-width:1320px;margin:0 auto;padding:24px}",
            "h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:0 0 12px}",
            ".sub{color:#4b5563;margin:0 0 20px}",
            "section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:18px 20px;margin:0 0 18px}",
            ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:0 0 18px}",
            ".card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:12px 18px;min-width:150px}",
            ".card b{display:block;font-size:24px}.card span{color:#6b7280;font-size:13px}",
            ".row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}",
            ".pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:18px}",
            ".pair img{width:100%}",
            "img{max-width:100%;height:auto;border:1px solid #e5e7eb;border-radius:4px}",
            "table{border-collapse:collapse;font-size:14px;font-variant-numeric:tabular-nums}",
            "th,td{padding:4px 10px;border-bottom:1px solid #e5e7eb;text-align:right}",
            "th{background:#f3f4f6;font-weight:600}td:first-child,th:first-child{text-align:left}",
            "pre{background:#f9fafb;border:1px solid #e5e7eb;border-radius:4px;padding:12px;overflow:auto;font-size:12.5px}",
            ".graph{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px}",
            ".scroll{overflow:auto;border:1px solid #e5e7eb;border-radius:4px;background:#fff}",
            "details{margin-top:10px}summary{cursor:pointer;color:#1d4ed8}",
            ".note{color:#6b7280;font-size:13px}");

    /** Everything the page shows. */
    record Contents(String title, String summary, List<Map<String, Double>> epochs, int testSize, int correct,
            ClassScores[] scores, int misclassified, int shown, Map<String, byte[]> pngs, String graphSvg,
            String mermaid, String dot) {}

    private Html() {}

    static String page(Contents c) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escape(c.title())).append("</title>\n<style>\n").append(CSS)
                .append("\n</style>\n</head>\n<body>\n<main>\n");
        sb.append("<h1>").append(escape(c.title())).append("</h1>\n");
        double accuracy = c.testSize() == 0 ? 0 : (double) c.correct() / c.testSize();
        sb.append("<div class=\"cards\">\n");
        card(sb, fmt("%.2f%%", 100 * accuracy), "test accuracy");
        card(sb, c.correct() + " / " + c.testSize(), "test images right");
        card(sb, Integer.toString(c.misclassified()), "misclassified");
        card(sb, Integer.toString(c.epochs().size()), "epochs");
        if (!c.epochs().isEmpty() && c.epochs().get(c.epochs().size() - 1).containsKey("val_loss")) {
            card(sb, fmt("%.4f", c.epochs().get(c.epochs().size() - 1).get("val_loss")), "final val_loss");
        }
        sb.append("</div>\n");

        sb.append("<section id=\"curves\">\n<h2>Training curves</h2>\n<div class=\"pair\">\n");
        if (c.pngs().containsKey("loss.png")) {
            image(sb, c, "loss.png", "loss per epoch, train and validation");
            image(sb, c, "accuracy.png", "accuracy per epoch, train and validation");
        } else {
            sb.append("<p class=\"note\">No epoch was trained.</p>\n");
        }
        sb.append("</div>\n");
        metricsTable(sb, c.epochs());
        sb.append("</section>\n");

        sb.append("<section id=\"test\">\n<h2>Test set: confusion matrix and per-class scores</h2>\n<div class=\"row\">\n");
        image(sb, c, "confusion_matrix.png", "confusion matrix, rows true class, columns predicted class");
        classTable(sb, c.scores());
        sb.append("</div>\n</section>\n");

        sb.append("<section id=\"misclassified\">\n<h2>Misclassified test images</h2>\n");
        sb.append("<p class=\"note\">Showing <span id=\"shown\">").append(c.shown()).append("</span> of ")
                .append(c.misclassified()).append(" misclassified images, evenly spaced over the test set.</p>\n");
        if (c.pngs().containsKey("misclassified.png")) {
            image(sb, c, "misclassified.png", "misclassified test images with predicted and true labels");
        }
        sb.append("</section>\n");

        sb.append("<section id=\"summary\">\n<h2>Model</h2>\n<pre>").append(escape(c.summary())).append("</pre>\n")
                .append("</section>\n");

        sb.append("<section id=\"graph\">\n<h2>Computation graph</h2>\n<p class=\"note\">One test image through the"
                + " network and the loss, after <code>backward()</code>: ops with their output shapes, parameters"
                + " (blue) with the L2 norm of their gradient.</p>\n");
        sb.append("<div class=\"scroll\">\n").append(c.graphSvg()).append("</div>\n");
        sb.append("<details><summary>Mermaid source</summary><pre>").append(escape(c.mermaid()))
                .append("</pre></details>\n");
        sb.append("<details><summary>Graphviz DOT source</summary><pre>").append(escape(c.dot()))
                .append("</pre></details>\n</section>\n");
        sb.append("<p class=\"note\">Written by <code>nabla train --report</code>.</p>\n</main>\n</body>\n</html>\n");
        return sb.toString();
    }

    private static void card(StringBuilder sb, String value, String label) {
        sb.append("<div class=\"card\"><b>").append(escape(value)).append("</b><span>").append(escape(label))
                .append("</span></div>\n");
    }

    private static void image(StringBuilder sb, Contents c, String file, String alt) {
        sb.append("<img id=\"").append(file.replace(".png", "")).append("\" alt=\"").append(escape(alt))
                .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(c.pngs().get(file)))
                .append("\">\n");
    }

    private static void metricsTable(StringBuilder sb, List<Map<String, Double>> epochs) {
        Set<String> keys = new LinkedHashSet<>();
        for (String k : List.of("loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds")) {
            if (epochs.stream().anyMatch(e -> e.containsKey(k))) {
                keys.add(k);
            }
        }
        epochs.forEach(e -> keys.addAll(e.keySet()));
        List<String> columns = new ArrayList<>(keys);
        sb.append("<h2 style=\"margin-top:16px\">Metrics per epoch</h2>\n<table id=\"metrics\">\n<tr><th>epoch</th>");
        columns.forEach(k -> sb.append("<th>").append(escape(k)).append("</th>"));
        sb.append("</tr>\n");
        for (int i = 0; i < epochs.size(); i++) {
            sb.append("<tr><td>").append(i + 1).append("</td>");
            for (String k : columns) {
                Double v = epochs.get(i).get(k);
                sb.append("<td data-key=\"").append(escape(k)).append("\">").append(v == null ? "" : number(k, v))
                        .append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    /** A metric as shown in the table: seconds to 0.01, the learning rate to 4 significant digits, others to 1e-4. */
    static String number(String key, double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        return key.equals("seconds") ? fmt("%.2f", v) : key.equals("lr")
                ? new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString() : fmt("%.4f", v);
    }

    private static void classTable(StringBuilder sb, ClassScores[] scores) {
        sb.append("<table id=\"classes\">\n<tr><th>class</th><th>precision</th><th>recall</th><th>F1</th>"
                + "<th>support</th></tr>\n");
        double p = 0;
        double r = 0;
        double f = 0;
        int support = 0;
        for (ClassScores s : scores) {
            sb.append("<tr><td>").append(s.cls()).append("</td><td>").append(fmt("%.4f", s.precision()))
                    .append("</td><td>").append(fmt("%.4f", s.recall())).append("</td><td>")
                    .append(fmt("%.4f", s.f1())).append("</td><td>").append(s.support()).append("</td></tr>\n");
            p += s.precision();
            r += s.recall();
            f += s.f1();
            support += s.support();
        }
        int n = Math.max(1, scores.length);
        sb.append("<tr><th>macro avg</th><th>").append(fmt("%.4f", p / n)).append("</th><th>")
                .append(fmt("%.4f", r / n)).append("</th><th>").append(fmt("%.4f", f / n)).append("</th><th>")
                .append(support).append("</th></tr>\n</table>\n");
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&':
                    sb.append("&amp;");
                    break;
                case '<':
                    sb.append("&lt;");
                    break;
                case '>':
                    sb.append("&gt;");
                    break;
                case '"':
                    sb.append("&quot;");
                    break;
                default:
                    sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
