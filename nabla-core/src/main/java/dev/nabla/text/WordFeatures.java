package dev.nabla.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a tagger reads of each word: three ids, for the lower-cased word, its last {@value #SUFFIX_LENGTH}
 * characters (the whole word if shorter) and its {@link WordShape}. Words and suffixes come from
 * {@link Vocabulary vocabularies} built on the training text keeping those seen at least {@code minCount} times, so
 * rarer ones train the unknown id that unseen words get; shape ids are {@code 1 + ordinal} (0 is padding).
 */
public final class WordFeatures {
    /** Characters in a suffix. */
    public static final int SUFFIX_LENGTH = 3;
    /** Number of shape ids, padding included. */
    public static final int SHAPES = WordShape.values().length + 1;

    private final Vocabulary words;
    private final Vocabulary suffixes;

    /** Features from these vocabularies (of lower-cased words and of suffixes). */
    public WordFeatures(Vocabulary words, Vocabulary suffixes) {
        this.words = words;
        this.suffixes = suffixes;
    }

    /** Vocabularies of the words and suffixes in {@code sentences} seen at least {@code minCount} times. */
    public static WordFeatures build(List<List<String>> sentences, int minCount) {
        List<String> lower = new ArrayList<>();
        List<String> ends = new ArrayList<>();
        for (List<String> s : sentences) {
            for (String w : s) {
                lower.add(normalize(w));
                ends.add(suffix(w));
            }
        }
        return new WordFeatures(Vocabulary.build(lower, minCount), Vocabulary.build(ends, minCount));
    }

    /** The word as the word vocabulary holds it: lower-cased. */
    public static String normalize(String word) {
        return word.toLowerCase(Locale.ROOT);
    }

    /** The last {@value #SUFFIX_LENGTH} characters of the lower-cased word, or all of it. */
    public static String suffix(String word) {
        String w = normalize(word);
        return w.length() <= SUFFIX_LENGTH ? w : w.substring(w.length() - SUFFIX_LENGTH);
    }

    /** Ids {@code [3][T]}: word ids, suffix ids and shape ids of a sentence of T words. */
    public int[][] encode(List<String> sentence) {
        int[][] ids = new int[3][sentence.size()];
        for (int i = 0; i < sentence.size(); i++) {
            String w = sentence.get(i);
            ids[0][i] = words.id(normalize(w));
            ids[1][i] = suffixes.id(suffix(w));
            ids[2][i] = 1 + WordShape.of(w).ordinal();
        }
        return ids;
    }

    public Vocabulary words() {
        return words;
    }

    public Vocabulary suffixes() {
        return suffixes;
    }
}
