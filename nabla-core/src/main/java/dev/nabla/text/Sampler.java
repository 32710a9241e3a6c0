package dev.nabla.text;

import dev.nabla.tensor.Generator;
import java.util.Arrays;

/**
 * Draws the next token from a language model's logits: softmax(logits / temperature) restricted to the {@code topK}
 * most likely tokens (0: all), from a seeded {@link Generator}. Temperature 0 picks the most likely token.
 */
public record Sampler(double temperature, int topK) {
    public Sampler {
        if (!(temperature >= 0) || Double.isInfinite(temperature) || topK < 0) {
            throw new IllegalArgumentException("Sampler: temperature must be finite and >= 0 (got " + temperature
                    + "), topK >= 0 (got " + topK + ")");
        }
    }

    /** A token id drawn from these logits. */
    public int sample(double[] logits, Generator generator) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        if (temperature == 0 || topK == 1) {
            return best;
        }
        double cutoff = Double.NEGATIVE_INFINITY;
        if (topK > 0 && topK < logits.length) {
            double[] sorted = logits.clone();
            Arrays.sort(sorted);
            cutoff = sorted[logits.length - topK];
        }
        double[] p = new double[logits.length];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = logits[i] >= cutoff ? Math.exp((logits[i] - logits[best]) / temperature) : 0;
            total += p[i];
        }
        double u = generator.nextDouble() * total;
        for (int i = 0; i < p.length; i++) {
            u -= p[i];
            if (u < 0 && p[i] > 0) {
                return i;
            }
        }
        return best;
    }
}
