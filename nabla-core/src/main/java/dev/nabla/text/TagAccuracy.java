package dev.nabla.text;

import java.util.List;
import java.util.function.Predicate;

/** Token accuracy of predicted tags, overall and split into words known from training and unknown words. */
public record TagAccuracy(long correct, long total, long knownCorrect, long knownTotal) {
    /** Compares {@code predicted} with the tags of {@code gold}, sentence by sentence; {@code known} says which words training saw. */
    public static TagAccuracy of(List<BrownCorpus.Sentence> gold, List<List<String>> predicted, Predicate<String> known) {
        if (gold.size() != predicted.size()) {
            throw new IllegalArgumentException("TagAccuracy: " + gold.size() + " sentences but " + predicted.size()
                    + " predictions");
        }
        long correct = 0;
        long total = 0;
        long knownCorrect = 0;
        long knownTotal = 0;
        for (int s = 0; s < gold.size(); s++) {
            BrownCorpus.Sentence g = gold.get(s);
            List<String> p = predicted.get(s);
            if (p.size() != g.size()) {
                throw new IllegalArgumentException("TagAccuracy: sentence " + s + " has " + g.size() + " words but "
                        + p.size() + " predicted tags");
            }
            for (int i = 0; i < g.size(); i++) {
                boolean right = g.tags().get(i).equals(p.get(i));
                total++;
                correct += right ? 1 : 0;
                if (known.test(g.words().get(i))) {
                    knownTotal++;
                    knownCorrect += right ? 1 : 0;
                }
            }
        }
        return new TagAccuracy(correct, total, knownCorrect, knownTotal);
    }

    /** Correct over all tokens. */
    public double accuracy() {
        return correct / (double) Math.max(1, total);
    }

    /** Correct over tokens whose word training saw. */
    public double knownAccuracy() {
        return knownCorrect / (double) Math.max(1, knownTotal);
    }

    /** Correct over tokens whose word training never saw. */
    public double unknownAccuracy() {
        return (correct - knownCorrect) / (double) Math.max(1, total - knownTotal);
    }

    /** Tokens whose word training never saw. */
    public long unknownTotal() {
        return total - knownTotal;
    }
}
