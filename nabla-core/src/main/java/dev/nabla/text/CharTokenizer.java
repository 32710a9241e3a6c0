package dev.nabla.text;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Characters to ids and back: the distinct characters (Unicode code points) of a text, in code-point order, are
 * ids 0, 1, 2, .... Saved and restored as the string of those characters ({@link #alphabet()}).
 */
public final class CharTokenizer {
    private final int[] codePoints;
    private final Map<Integer, Integer> ids = new HashMap<>();

    /** The tokenizer of these distinct code points, in this order. */
    public CharTokenizer(String alphabet) {
        codePoints = alphabet.codePoints().toArray();
        for (int i = 0; i < codePoints.length; i++) {
            if (ids.put(codePoints[i], i) != null) {
                throw new IllegalArgumentException("CharTokenizer: character '" + Character.toString(codePoints[i])
                        + "' appears twice in the alphabet");
            }
        }
        if (codePoints.length == 0) {
            throw new IllegalArgumentException("CharTokenizer: the alphabet is empty");
        }
    }

    /** The tokenizer of every character in {@code text}. */
    public static CharTokenizer fromText(String text) {
        int[] distinct = text.codePoints().distinct().sorted().toArray();
        return new CharTokenizer(new String(distinct, 0, distinct.length));
    }

    /** Number of distinct characters (the vocabulary size). */
    public int size() {
        return codePoints.length;
    }

    /** The characters in id order. */
    public String alphabet() {
        return new String(codePoints, 0, codePoints.length);
    }

    /** True when the character is in the alphabet. */
    public boolean contains(int codePoint) {
        return ids.containsKey(codePoint);
    }

    /** The ids of the characters of {@code text}; a character outside the alphabet is an error naming it. */
    public int[] encode(String text) {
        return text.codePoints().map(cp -> {
            Integer id = ids.get(cp);
            if (id == null) {
                throw new IllegalArgumentException("CharTokenizer: character '" + Character.toString(cp) + "' (U+"
                        + String.format("%04X", cp) + ") is not in the alphabet of " + size() + " characters");
            }
            return id;
        }).toArray();
    }

    /** The text of these ids. */
    public String decode(int... tokens) {
        StringBuilder sb = new StringBuilder();
        for (int t : tokens) {
            if (t < 0 || t >= codePoints.length) {
                throw new IllegalArgumentException("CharTokenizer: id " + t + " is outside [0, " + size() + ")");
            }
            sb.appendCodePoint(codePoints[t]);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CharTokenizer other && Arrays.equals(codePoints, other.codePoints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codePoints);
    }
}
