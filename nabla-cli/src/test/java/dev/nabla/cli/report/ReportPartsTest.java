package dev.nabla.cli.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.autograd.GraphExport;
import dev.nabla.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The report's pieces that compute something: per-class scores and the graph's layers. */
class ReportPartsTest {
    @Test
    void classScoresFollowTheirDefinitions() {
        int[][] matrix = {{5, 1, 0}, {2, 3, 1}, {0, 0, 0}};
        ClassScores[] s = ClassScores.of(matrix);
        assertEquals(5.0 / 7, s[0].precision(), 1e-12); // column 0: 5 + 2 predicted as 0
        assertEquals(5.0 / 6, s[0].recall(), 1e-12);
        assertEquals(2 * (5.0 / 7) * (5.0 / 6) / (5.0 / 7 + 5.0 / 6), s[0].f1(), 1e-12);
        assertEquals(3.0 / 4, s[1].precision(), 1e-12);
        assertEquals(3.0 / 6, s[1].recall(), 1e-12);
        assertEquals(6, s[1].support());
        assertEquals(0, s[2].precision()); // predicted once, never right
        assertEquals(0, s[2].recall()); // no samples: 0, not NaN
        assertEquals(0, s[2].f1());
    }

    @Test
    void opsSitBelowTheirDeepestInputAndLeavesRightAboveTheirFirstConsumer() {
        Tensor x = Tensor.fromArray(new float[] {1, 2}, 1, 2);
        Tensor w = Tensor.fromArray(new float[] {1, 0, 0, 1}, 2, 2).requiresGrad(true);
        Tensor b = Tensor.fromArray(new float[] {0.5f}, 1).requiresGrad(true);
        Tensor loss = x.matmul(w).relu().add(b).sum();
        GraphExport.Graph graph = GraphExport.of(loss);
        int[] layers = GraphSvg.layers(graph);
        // Post-order ids: 0 x, 1 w, 2 MATMUL, 3 RELU, 4 b, 5 ADD, 6 SUM.
        assertArrayEquals(new int[] {0, 0, 1, 2, 2, 3, 4}, layers, graph.mermaid());
        assertEquals(GraphSvg.svg(graph), GraphSvg.svg(GraphExport.of(loss)));
    }
}
