package dev.nabla.autograd;

import dev.nabla.tensor.Prim;
import dev.nabla.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The computation graph behind a tensor, drawn as Mermaid ({@code flowchart}) or Graphviz DOT: one node per
 * recorded op (primitive and output shape) and per leaf (name, "param" or "input", shape), an edge from each input
 * to the op that used it; after {@code backward()}, leaves that hold a gradient show its L2 norm.
 *
 * <pre>{@code
 * Tensor loss = model.forward(x).square().mean();
 * loss.backward();
 * String mermaid = GraphExport.mermaid(loss, model.network().namedParameters());
 * }</pre>
 *
 * <p>Nodes are numbered in depth-first post-order from the output (inputs in argument order, before the op that
 * uses them), so the same graph always gives the same text.
 */
public final class GraphExport {
    private GraphExport() {}

    /** What a node stands for. */
    public enum Kind {
        /** A recorded primitive op. */
        OP,
        /** A leaf that requires gradients (a parameter or another variable). */
        PARAM,
        /** A leaf that does not (data, constants, detached tensors). */
        INPUT
    }

    /**
     * One node: {@code op} for {@link Kind#OP} (else null), with {@code fusedRelu} when a relu is fused into it,
     * {@code name} of a leaf (null if unnamed), {@code gradNorm} for a leaf holding a gradient (else null).
     */
    public record Node(int id, Kind kind, Prim op, boolean fusedRelu, String name, int[] shape, Double gradNorm) {
        /**
         * The node's text, one line per entry: "LINEAR" (or "LINEAR+RELU"), "[2, 4]" or "0.weight", "param [4, 3]",
         * "grad norm 0.5".
         */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            String shapeText = Arrays.toString(shape);
            if (kind == Kind.OP) {
                lines.add(fusedRelu ? op.name() + "+RELU" : op.name());
                lines.add(shapeText);
            } else {
                if (name != null) {
                    lines.add(name);
                }
                lines.add((kind == Kind.PARAM ? "param " : "input ") + shapeText);
            }
            if (gradNorm != null) {
                lines.add("grad norm " + String.format(Locale.ROOT, "%.4g", gradNorm));
            }
            return lines;
        }
    }

    /** An edge from an input to the op that consumed it. */
    public record Edge(int from, int to) {}

    /** A graph: nodes by id (list index = id) and edges grouped by consuming op, inputs in argument order. */
    public record Graph(List<Node> nodes, List<Edge> edges) {
        /** Copies the lists. */
        public Graph {
            nodes = List.copyOf(nodes);
            edges = List.copyOf(edges);
        }

        /** Mermaid {@code flowchart TD} text: leaves as stadiums, ops as rectangles. */
        public String mermaid() {
            StringBuilder sb = new StringBuilder("flowchart TD\n");
            for (Node n : nodes) {
                String label = String.join("<br/>", n.lines().stream().map(GraphExport::mermaidEscape).toList());
                String open = n.kind() == Kind.OP ? "[\"" : "([\"";
                String close = n.kind() == Kind.OP ? "\"]" : "\"])";
                sb.append("    n").append(n.id()).append(open).append(label).append(close).append('\n');
            }
            for (Edge e : edges) {
                sb.append("    n").append(e.from()).append(" --> n").append(e.to()).append('\n');
            }
            return sb.toString();
        }

        /** Graphviz DOT text: ops as boxes, parameters as filled ellipses, inputs as ellipses. */
        public String dot() {
            StringBuilder sb = new StringBuilder("digraph nabla {\n    rankdir=TB;\n    node [fontname=\"Helvetica\"];\n");
            for (Node n : nodes) {
                String label = String.join("\\n", n.lines().stream().map(GraphExport::dotEscape).toList());
                String style = switch (n.kind()) {
                    case OP -> "shape=box";
                    case PARAM -> "shape=ellipse, style=filled, fillcolor=\"#dbeafe\"";
                    case INPUT -> "shape=ellipse";
                };
                sb.append("    n").append(n.id()).append(" [").append(style).append(", label=\"").append(label)
                        .append("\"];\n");
            }
            for (Edge e : edges) {
                sb.append("    n").append(e.from()).append(" -> n").append(e.to()).append(";\n");
            }
            return sb.append("}\n").toString();
        }
    }

    /** The graph of {@code root}, leaves named by {@link Tensor#name()}. */
    public static Graph of(Tensor root) {
        return of(root, Map.of());
    }

    /**
     * The graph of {@code root}; a leaf found among {@code names}' values (for example
     * {@code module.namedParameters()}) takes that name, others keep {@link Tensor#name()}.
     */
    public static Graph of(Tensor root, Map<String, Tensor> names) {
        Map<Tensor, String> nameOf = new IdentityHashMap<>();
        names.forEach((k, v) -> nameOf.putIfAbsent(v, k));
        Map<Tensor, Integer> ids = new IdentityHashMap<>();
        List<Tensor> order = new ArrayList<>();
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(root));
        while (!stack.isEmpty()) {
            Frame top = stack.peek();
            if (top.next < top.inputs.length) {
                Tensor input = top.inputs[top.next++];
                if (!ids.containsKey(input)) {
                    stack.push(new Frame(input));
                }
            } else {
                stack.pop();
                if (!ids.containsKey(top.tensor)) {
                    ids.put(top.tensor, order.size());
                    order.add(top.tensor);
                }
            }
        }
        List<Node> nodes = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        for (int id = 0; id < order.size(); id++) {
            Tensor t = order.get(id);
            Prim op = t.gradFn();
            if (op != null) {
                nodes.add(new Node(id, Kind.OP, op, t.gradFnFusedRelu(), null, t.shape(), null));
                for (Tensor input : t.gradFnInputs()) {
                    edges.add(new Edge(ids.get(input), id));
                }
            } else {
                String name = nameOf.getOrDefault(t, t.name());
                Kind kind = t.requiresGrad() ? Kind.PARAM : Kind.INPUT;
                nodes.add(new Node(id, kind, null, false, name, t.shape(),
                        t.grad() == null ? null : norm(t.grad())));
            }
        }
        return new Graph(nodes, edges);
    }

    /** Mermaid text of the graph of {@code root}. */
    public static String mermaid(Tensor root) {
        return of(root).mermaid();
    }

    /** Mermaid text, leaves named from {@code names} (see {@link #of(Tensor, Map)}). */
    public static String mermaid(Tensor root, Map<String, Tensor> names) {
        return of(root, names).mermaid();
    }

    /** DOT text of the graph of {@code root}. */
    public static String dot(Tensor root) {
        return of(root).dot();
    }

    /** DOT text, leaves named from {@code names} (see {@link #of(Tensor, Map)}). */
    public static String dot(Tensor root, Map<String, Tensor> names) {
        return of(root, names).dot();
    }

    private static final class Frame {
        final Tensor tensor;
        final Tensor[] inputs;
        int next;

        Frame(Tensor tensor) {
            this.tensor = tensor;
            this.inputs = tensor.gradFnInputs();
        }
    }

    private static double norm(Tensor g) {
        double sum = 0;
        for (double v : g.toDoubleArray()) {
            sum += v * v;
        }
        return Math.sqrt(sum);
    }

    private static String mermaidEscape(String s) {
        return s.replace("#", "#35;").replace("\"", "#quot;").replace("<", "#lt;").replace(">", "#gt;");
    }

    private static String dotEscape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
