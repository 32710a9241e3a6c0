package dev.nabla.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Words to ids: id 0 is the padding token {@value #PAD}, id 1 the unknown token {@value #UNK}, then the words seen
 * at least {@code minFrequency} times, most frequent first (ties in first-seen order). Any other word encodes as
 * {@value #UNK}.
 */
public final class Vocabulary {
    public static final String PAD = "<pad>";
    public static final String UNK = "<unk>";
    public static final int PAD_ID = 0;
    public static final int UNK_ID = 1;

    private final List<String> words;
    private final Map<String, Integer> ids = new HashMap<>();

    private Vocabulary(List<String> words) {
        this.words = List.copyOf(words);
        for (int i = 0; i < words.size(); i++) {
            ids.put(words.get(i), i);
        }
    }

    /** The vocabulary of {@code tokens} keeping words seen at least {@code minFrequency} times. */
    public static Vocabulary build(Iterable<String> tokens, int minFrequency) {
        if (minFrequency < 1) {
            throw new IllegalArgumentException("Vocabulary: minFrequency must be at least 1, got " + minFrequency);
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String t : tokens) {
            counts.merge(t, 1, Integer::sum);
        }
        List<Map.Entry<String, Integer>> kept = new ArrayList<>();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (e.getValue() >= minFrequency && !e.getKey().equals(PAD) && !e.getKey().equals(UNK)) {
                kept.add(e);
            }
        }
        kept.sort(Collections.reverseOrder(Map.Entry.comparingByValue()));  // stable: ties keep first-seen order
        List<String> words = new ArrayList<>(List.of(PAD, UNK));
        kept.forEach(e -> words.add(e.getKey()));
        return new Vocabulary(words);
    }

    /** A vocabulary from its word list, as saved by {@link #words()} (the first two must be PAD and UNK). */
    public static Vocabulary of(List<String> words) {
        if (words.size() < 2 || !words.get(0).equals(PAD) || !words.get(1).equals(UNK)) {
            throw new IllegalArgumentException("Vocabulary: the word list must start with " + PAD + ", " + UNK);
        }
        return new Vocabulary(words);
    }

    /** Number of ids, including PAD and UNK. */
    public int size() {
        return words.size();
    }

    /** The id of a word, {@link #UNK_ID} when unknown. */
    public int id(String word) {
        return ids.getOrDefault(word, UNK_ID);
    }

    /** The word of an id. */
    public String word(int id) {
        if (id < 0 || id >= words.size()) {
            throw new IllegalArgumentException("Vocabulary: id " + id + " is outside [0, " + size() + ")");
        }
        return words.get(id);
    }

    /** The ids of these words. */
    public int[] encode(List<String> tokens) {
        return tokens.stream().mapToInt(this::id).toArray();
    }

    /** All words in id order. */
    public List<String> words() {
        return words;
    }
}
