package dev.nabla.cli.report;

/**
 * Precision, recall and F1 of one class, read from a confusion matrix (rows true, columns predicted):
 * precision = tp / predicted, recall = tp / actual, F1 = 2·p·r / (p + r); 0 where a denominator is 0.
 */
record ClassScores(int cls, double precision, double recall, double f1, int support) {
    static ClassScores[] of(int[][] matrix) {
        int n = matrix.length;
        ClassScores[] scores = new ClassScores[n];
        for (int c = 0; c < n; c++) {
            int tp = matrix[c][c];
            int actual = 0;
            int predicted = 0;
            for (int k = 0; k < n; k++) {
                actual += matrix[c][k];
                predicted += matrix[k][c];
            }
            double p = predicted == 0 ? 0 : (double) tp / predicted;
            double r = actual == 0 ? 0 : (double) tp / actual;
            scores[c] = new ClassScores(c, p, r, p + r == 0 ? 0 : 2 * p * r / (p + r), actual);
        }
        return scores;
    }
}
