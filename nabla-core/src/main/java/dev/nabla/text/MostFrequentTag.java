package dev.nabla.text;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most-frequent-tag baseline: each word (exact spelling) gets the tag it had most often in training, ties going
 * to the tag more frequent overall (then the one seen first); a word not seen in training gets the most frequent
 * tag overall.
 */
public final class MostFrequentTag {
    private final Map<String, String> best;
    private final String fallback;

    private MostFrequentTag(Map<String, String> best, String fallback) {
        this.best = best;
        this.fallback = fallback;
    }

    /** The baseline counted on {@code train}. */
    public static MostFrequentTag train(List<BrownCorpus.Sentence> train) {
        Map<String, Integer> tagCounts = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        for (BrownCorpus.Sentence s : train) {
            for (int i = 0; i < s.size(); i++) {
                tagCounts.merge(s.tags().get(i), 1, Integer::sum);
                counts.computeIfAbsent(s.words().get(i), w -> new LinkedHashMap<>()).merge(s.tags().get(i), 1,
                        Integer::sum);
            }
        }
        if (tagCounts.isEmpty()) {
            throw new IllegalArgumentException("MostFrequentTag: no training tokens");
        }
        String fallback = argmax(tagCounts, tagCounts);
        Map<String, String> best = new HashMap<>();
        counts.forEach((word, c) -> best.put(word, argmax(c, tagCounts)));
        return new MostFrequentTag(best, fallback);
    }

    private static String argmax(Map<String, Integer> counts, Map<String, Integer> overall) {
        String best = null;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (best == null || e.getValue() > counts.get(best)
                    || e.getValue().equals(counts.get(best)) && overall.get(e.getKey()) > overall.get(best)) {
                best = e.getKey();
            }
        }
        return best;
    }

    /** True when {@code word} was seen in training. */
    public boolean knows(String word) {
        return best.containsKey(word);
    }

    /** The tag for each word. */
    public List<String> tag(List<String> words) {
        return words.stream().map(w -> best.getOrDefault(w, fallback)).toList();
    }

    /** The tag given to unseen words. */
    public String fallback() {
        return fallback;
    }
}
