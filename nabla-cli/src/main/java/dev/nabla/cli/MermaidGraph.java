package dev.nabla.cli;

import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The computation graph behind a tensor as a Mermaid flowchart: one node per recorded op (with its output shape)
 * and per leaf (with its name and shape, and the gradient norm once backward has run), edges from inputs to ops.
 */
final class MermaidGraph {
    private MermaidGraph() {}

    static String of(Tensor root) {
        Map<Tensor, String> ids = new IdentityHashMap<>();
        List<String> nodes = new ArrayList<>();
        List<String> edges = new ArrayList<>();
        visit(root, ids, nodes, edges);
        StringBuilder sb = new StringBuilder("flowchart TD\n");
        nodes.forEach(n -> sb.append("    ").append(n).append('\n'));
        edges.forEach(e -> sb.append("    ").append(e).append('\n'));
        return sb.toString();
    }

    /** Depth-first, inputs before the op, so the text reads from the leaves down to the loss. */
    private static String visit(Tensor t, Map<Tensor, String> ids, List<String> nodes, List<String> edges) {
        String id = ids.get(t);
        if (id != null) {
            return id;
        }
        Tensor[] inputs = t.gradFnInputs();
        List<String> inputIds = new ArrayList<>();
        for (Tensor in : inputs) {
            inputIds.add(visit(in, ids, nodes, edges));
        }
        id = "n" + ids.size();
        ids.put(t, id);
        String shape = shape(t);
        if (t.gradFn() != null) {
            String label = t.gradFn().name() + " → " + shape + (t.name() == null ? "" : " = " + t.name());
            nodes.add(id + "([\"" + label + "\"])");
        } else if (t.requiresGrad()) {
            String grad = t.grad() == null ? ""
                    : String.format(Locale.ROOT, "<br/>‖∂L/∂%s‖ = %.4g", display(t), norm(t.grad().toDoubleArray()));
            nodes.add(id + "[\"" + display(t) + " " + shape + grad + "\"]");
        } else {
            nodes.add(id + "[/\"" + display(t) + " " + shape + "\"/]");
        }
        for (String in : inputIds) {
            edges.add(in + " --> " + id);
        }
        return id;
    }

    private static String display(Tensor t) {
        if (t.name() != null) {
            return t.name();
        }
        return t.numel() == 1 ? String.format(Locale.ROOT, "const %.4g", t.toDoubleArray()[0]) : "const";
    }

    private static String shape(Tensor t) {
        int[] s = t.shape();
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < s.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(s[i]);
        }
        return sb.append(']').toString();
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
