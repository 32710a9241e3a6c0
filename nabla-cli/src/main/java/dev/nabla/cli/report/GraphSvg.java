package dev.nabla.cli.report;

import dev.nabla.autograd.GraphExport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A computation graph drawn as inline SVG with a layered layout: an op sits one layer below its deepest input, a
 * leaf one layer above its first consumer; within a layer nodes keep {@link GraphExport}'s numbering (depth-first
 * post-order), each op under its first input, so the same graph always gives the same picture.
 */
final class GraphSvg {
    private static final int CHAR_WIDTH = 7;
    private static final int LINE_HEIGHT = 15;
    private static final int GAP_X = 18;
    private static final int GAP_Y = 46;
    private static final int MARGIN = 16;

    private GraphSvg() {}

    static String svg(GraphExport.Graph graph) {
        List<GraphExport.Node> nodes = graph.nodes();
        int n = nodes.size();
        int[] layer = layers(graph);
        int layers = 0;
        for (int l : layer) {
            layers = Math.max(layers, l + 1);
        }
        int[] w = new int[n];
        int[] h = new int[n];
        for (GraphExport.Node node : nodes) {
            int chars = node.lines().stream().mapToInt(String::length).max().orElse(1);
            w[node.id()] = chars * CHAR_WIDTH + 20;
            h[node.id()] = node.lines().size() * LINE_HEIGHT + 12;
        }
        int[] layerHeight = new int[layers];
        for (int i = 0; i < n; i++) {
            layerHeight[layer[i]] = Math.max(layerHeight[layer[i]], h[i]);
        }
        int[] top = new int[layers];
        int y = MARGIN;
        for (int l = 0; l < layers; l++) {
            top[l] = y;
            y += layerHeight[l] + GAP_Y;
        }
        int height = y - GAP_Y + MARGIN;
        int[] firstInput = new int[n];
        Arrays.fill(firstInput, -1);
        for (GraphExport.Edge e : graph.edges()) {
            if (firstInput[e.to()] < 0) {
                firstInput[e.to()] = e.from();
            }
        }
        // Layer by layer, nodes in id order: an op wants to sit right under its first input (the data it transforms),
        // so the main path runs straight down; leaves (weights, constants) go to the right of what precedes them.
        int[] x = new int[n];
        int[] right = new int[layers];
        Arrays.fill(right, MARGIN - GAP_X);
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < n; i++) {
                if (layer[i] != l) {
                    continue;
                }
                int want = firstInput[i] < 0 ? Integer.MIN_VALUE : x[firstInput[i]] + w[firstInput[i]] / 2 - w[i] / 2;
                x[i] = Math.max(want, right[l] + GAP_X);
                right[l] = x[i] + w[i];
            }
        }
        int width = MARGIN;
        for (int r : right) {
            width = Math.max(width, r + MARGIN);
        }

        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg class=\"graph\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
                + " role=\"img\" aria-label=\"computation graph\">\n", width, height, width, height));
        sb.append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\""
                + " markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#6b7280\"/>"
                + "</marker></defs>\n");
        for (GraphExport.Edge e : graph.edges()) {
            int x1 = x[e.from()] + w[e.from()] / 2;
            int y1 = top[layer[e.from()]] + h[e.from()];
            int x2 = x[e.to()] + w[e.to()] / 2;
            int y2 = top[layer[e.to()]];
            int bend = (y2 - y1) / 2;
            sb.append(String.format(Locale.ROOT, "<path d=\"M%d,%d C%d,%d %d,%d %d,%d\" fill=\"none\" stroke=\"#6b7280\""
                    + " stroke-width=\"1.3\" marker-end=\"url(#arrow)\"/>\n", x1, y1, x1, y1 + bend, x2, y2 - bend, x2, y2));
        }
        for (GraphExport.Node node : nodes) {
            int i = node.id();
            String fill;
            String stroke;
            int radius;
            switch (node.kind()) {
                case OP:
                    fill = "#ffffff";
                    stroke = "#374151";
                    radius = 3;
                    break;
                case PARAM:
                    fill = "#dbeafe";
                    stroke = "#2563eb";
                    radius = h[i] / 2;
                    break;
                default:
                    fill = "#f3f4f6";
                    stroke = "#9ca3af";
                    radius = h[i] / 2;
                    break;
            }
            sb.append(String.format(Locale.ROOT, "<g><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"%d\""
                    + " fill=\"%s\" stroke=\"%s\"/>", x[i], top[layer[i]], w[i], h[i], radius, fill, stroke));
            List<String> lines = node.lines();
            for (int k = 0; k < lines.size(); k++) {
                boolean title = k == 0 && node.kind() == GraphExport.Kind.OP;
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\"%s>%s</text>",
                        x[i] + w[i] / 2, top[layer[i]] + 6 + (k + 1) * LINE_HEIGHT - 3,
                        title ? " font-weight=\"bold\"" : "", Html.escape(lines.get(k))));
            }
            sb.append("</g>\n");
        }
        return sb.append("</svg>\n").toString();
    }

    /** The layer of every node: ops below their deepest input, leaves right above their first consumer. */
    static int[] layers(GraphExport.Graph graph) {
        int n = graph.nodes().size();
        List<List<Integer>> inputs = new ArrayList<>();
        List<List<Integer>> consumers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            inputs.add(new ArrayList<>());
            consumers.add(new ArrayList<>());
        }
        for (GraphExport.Edge e : graph.edges()) {
            inputs.get(e.to()).add(e.from());
            consumers.get(e.from()).add(e.to());
        }
        int[] layer = new int[n];
        for (int i = 0; i < n; i++) { // ids are post-order: every input comes before its consumer
            for (int from : inputs.get(i)) {
                layer[i] = Math.max(layer[i], layer[from] + 1);
            }
        }
        for (int i = 0; i < n; i++) {
            if (inputs.get(i).isEmpty() && !consumers.get(i).isEmpty()) {
                int first = Integer.MAX_VALUE;
                for (int to : consumers.get(i)) {
                    first = Math.min(first, layer[to]);
                }
                layer[i] = first - 1;
            }
        }
        return layer;
    }
}
