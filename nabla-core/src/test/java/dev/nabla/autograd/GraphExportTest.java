package dev.nabla.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.nn.Activation;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Prim;
import dev.nabla.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GraphExportTest {
    /** A 2-2-3-2 network: Linear(3) + ReLU (one LINEAR+RELU op), Linear(2); the loss is mean(out²). */
    private static Module network() {
        Module net = new Sequential(Linear.dense(3, Activation.RELU), Linear.dense(2));
        net.build(new int[] {2}, new Generator(11));
        return net;
    }

    private static Tensor loss(Module net) {
        Tensor x = Tensor.fromArray(new float[] {1, -2, 0.5f, 3}, 2, 2).name("x");
        return net.forward(x).square().mean();
    }

    @Test
    void mermaidOfATwoLayerNetwork() {
        Module net = network();
        String expected = """
                flowchart TD
                    n0(["x<br/>input [2, 2]"])
                    n1(["0.weight<br/>param [3, 2]"])
                    n2(["0.bias<br/>param [3]"])
                    n3["LINEAR+RELU<br/>[2, 3]"]
                    n4(["1.weight<br/>param [2, 3]"])
                    n5(["1.bias<br/>param [2]"])
                    n6["LINEAR<br/>[2, 2]"]
                    n7["MUL<br/>[2, 2]"]
                    n8["SUM<br/>[]"]
                    n9(["input []"])
                    n10["DIV<br/>[]"]
                    n0 --> n3
                    n1 --> n3
                    n2 --> n3
                    n3 --> n6
                    n4 --> n6
                    n5 --> n6
                    n6 --> n7
                    n6 --> n7
                    n7 --> n8
                    n8 --> n10
                    n9 --> n10
                """;
        assertEquals(expected, GraphExport.mermaid(loss(net), net.namedParameters()));
        // without the module's names, parameters show their own (local) names
        assertTrue(GraphExport.mermaid(loss(net)).contains("n1([\"weight<br/>param [3, 2]\"])"));
    }

    @Test
    void gradientNormsAfterBackward() {
        Module net = network();
        Tensor loss = loss(net);
        assertTrue(GraphExport.of(loss).nodes().stream().allMatch(n -> n.gradNorm() == null));
        loss.backward();
        GraphExport.Graph graph = GraphExport.of(loss, net.namedParameters());
        Map<String, Tensor> params = net.namedParameters();
        int withGrad = 0;
        for (GraphExport.Node n : graph.nodes()) {
            if (n.kind() == GraphExport.Kind.PARAM) {
                double expected = 0;
                for (double v : params.get(n.name()).grad().toDoubleArray()) {
                    expected += v * v;
                }
                assertEquals(Math.sqrt(expected), n.gradNorm(), 1e-12, n.name());
                assertEquals("grad norm " + String.format(Locale.ROOT, "%.4g", Math.sqrt(expected)),
                        n.lines().get(n.lines().size() - 1));
                withGrad++;
            } else {
                assertNull(n.gradNorm(), n.toString());
            }
        }
        assertEquals(4, withGrad);
        assertTrue(graph.mermaid().contains("n1([\"0.weight<br/>param [3, 2]<br/>grad norm "), graph.mermaid());
    }

    @Test
    void dotIsWellFormed() throws Exception {
        Module net = network();
        Tensor loss = loss(net);
        loss.backward();
        GraphExport.Graph graph = GraphExport.of(loss, net.namedParameters());
        String dot = graph.dot();
        assertTrue(dot.startsWith("digraph nabla {\n"), dot);
        assertTrue(dot.endsWith("}\n"), dot);
        assertTrue(dot.contains("    n3 [shape=box, label=\"LINEAR+RELU\\n[2, 3]\"];\n"), dot);
        assertTrue(dot.contains("    n0 [shape=ellipse, label=\"x\\ninput [2, 2]\"];\n"), dot);
        // every node declared once, every edge between declared nodes, in the graph's order
        Matcher decl = Pattern.compile("(?m)^    n(\\d+) \\[").matcher(dot);
        int declared = 0;
        while (decl.find()) {
            assertEquals(declared++, Integer.parseInt(decl.group(1)));
        }
        assertEquals(11, declared);
        Matcher edge = Pattern.compile("(?m)^    n(\\d+) -> n(\\d+);$").matcher(dot);
        int edges = 0;
        while (edge.find()) {
            GraphExport.Edge e = graph.edges().get(edges++);
            assertEquals(e.from(), Integer.parseInt(edge.group(1)));
            assertEquals(e.to(), Integer.parseInt(edge.group(2)));
            assertTrue(e.from() < e.to(), "inputs come before their op");
        }
        assertEquals(11, edges);
        Path graphviz = Path.of("/usr/bin/dot");
        if (Files.isExecutable(graphviz)) {
            Process p = new ProcessBuilder(graphviz.toString(), "-Tsvg").redirectErrorStream(true).start();
            p.getOutputStream().write(dot.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("<svg"), out);
        }
    }

    @Test
    void sharedInputsAreOneNodeAndNamesAreEscaped() {
        Tensor a = Tensor.of(1, 2).requiresGrad(true).name("a \"quoted\" <b>");
        Tensor y = a.mul(a).add(a);
        GraphExport.Graph g = GraphExport.of(y);
        assertEquals(3, g.nodes().size());
        assertEquals(List.of(new GraphExport.Edge(0, 1), new GraphExport.Edge(0, 1), new GraphExport.Edge(1, 2),
                new GraphExport.Edge(0, 2)), g.edges());
        assertEquals(Prim.ADD, g.nodes().get(2).op());
        assertTrue(g.mermaid().contains("n0([\"a #quot;quoted#quot; #lt;b#gt;<br/>param [2]\"])"), g.mermaid());
        assertTrue(g.dot().contains("label=\"a \\\"quoted\\\" <b>\\nparam [2]\""), g.dot());
    }

    @Test
    void deepGraphsDoNotOverflowTheStack() {
        Tensor x = Tensor.of(1).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) {
            y = y.add(1);
        }
        GraphExport.Graph g = GraphExport.of(y);
        assertEquals(40_001, g.nodes().size());
        assertEquals(40_000, g.edges().size());
    }
}
