package dev.nabla.text;

/**
 * The spelling class of a word, a clue to its part of speech that survives lower-casing and works for words never
 * seen in training: tested in this order, a word with a digit is {@link #NUMBER}, one with no letter
 * {@link #PUNCTUATION}, one whose letters are all capitals (two or more) {@link #UPPER}, one starting with a capital
 * {@link #CAPITALIZED}, one whose letters are all lower-case {@link #LOWER}, anything else {@link #MIXED}.
 */
public enum WordShape {
    LOWER, CAPITALIZED, UPPER, NUMBER, PUNCTUATION, MIXED;

    /** The shape of {@code word}. */
    public static WordShape of(String word) {
        int letters = 0;
        int upper = 0;
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (Character.isDigit(c)) {
                return NUMBER;
            }
            if (Character.isLetter(c)) {
                letters++;
                if (Character.isUpperCase(c)) {
                    upper++;
                }
            }
        }
        if (letters == 0) {
            return PUNCTUATION;
        }
        if (upper == letters && letters >= 2) {
            return UPPER;
        }
        if (Character.isUpperCase(word.charAt(0))) {
            return CAPITALIZED;
        }
        return upper == 0 ? LOWER : MIXED;
    }
}
