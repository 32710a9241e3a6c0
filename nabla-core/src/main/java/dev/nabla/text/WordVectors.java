package dev.nabla.text;

import dev.nabla.io.Safetensors;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Word vectors with their {@link Vocabulary}, for lookup by meaning: cosine similarity and nearest neighbours.
 * Padding and unknown (ids 0 and 1) are never neighbours.
 */
public final class WordVectors {
    /** A neighbour and its cosine similarity to the query. */
    public record Neighbour(String word, double cosine) {}

    /**
     * How often a word's nearest neighbours share its tag ({@code rate}), against the rate expected of neighbours
     * drawn at random from the vocabulary ({@code randomRate}), over {@code queries} words with {@code k} neighbours each.
     */
    public record Agreement(double rate, double randomRate, int queries, int k) {}

    private final Vocabulary vocabulary;
    private final int dim;
    private final float[] unit;

    /** The rows of {@code vectors [vocabulary.size(), dim]} as the vectors of the vocabulary's words. */
    public WordVectors(Vocabulary vocabulary, Tensor vectors) {
        if (vectors.dim() != 2 || vectors.size(0) != vocabulary.size()) {
            throw new IllegalArgumentException("WordVectors: vectors of shape " + Arrays.toString(vectors.shape())
                    + " must be [" + vocabulary.size() + ", dim] for a vocabulary of " + vocabulary.size());
        }
        this.vocabulary = vocabulary;
        this.dim = vectors.size(1);
        float[] v = vectors.toFloatArray();
        for (int w = 0; w < vocabulary.size(); w++) {
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                norm += (double) v[w * dim + j] * v[w * dim + j];
            }
            double scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
            for (int j = 0; j < dim; j++) {
                v[w * dim + j] *= (float) scale;
            }
        }
        unit = v;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** Cosine similarity of two words' vectors; an unknown word is an error naming it. */
    public double cosine(String a, String b) {
        return dot(id(a), id(b));
    }

    /** The {@code k} words closest to {@code word} by cosine, closest first (ties: lower id first). */
    public List<Neighbour> nearest(String word, int k) {
        int[] ids = nearestIds(id(word), k);
        List<Neighbour> out = new ArrayList<>();
        for (int n : ids) {
            out.add(new Neighbour(vocabulary.word(n), dot(id(word), n)));
        }
        return out;
    }

    /** True when {@code word} has a vector of its own: it is in the vocabulary and is not padding or unknown. */
    public boolean contains(String word) {
        int id = vocabulary.id(word);
        return id != Vocabulary.UNK_ID && id != Vocabulary.PAD_ID;
    }

    /**
     * For each query, the share of its {@code k} nearest neighbours whose {@code tagOf} equals its own, averaged
     * over the queries; and the same share expected of {@code k} neighbours drawn uniformly from the rest of the
     * vocabulary (computed exactly from the vocabulary's tag counts, not sampled).
     */
    public Agreement tagAgreement(List<String> queries, Function<String, String> tagOf, int k) {
        if (queries.isEmpty() || vocabulary.size() < 4 || k < 1) {
            throw new IllegalArgumentException("tagAgreement: needs queries (got " + queries.size() + "), k >= 1 (got "
                    + k + ") and at least two words besides padding and unknown (got " + (vocabulary.size() - 2) + ")");
        }
        String[] tags = new String[vocabulary.size()];
        Map<String, Integer> tagCounts = new HashMap<>();
        for (int w = 2; w < vocabulary.size(); w++) {
            tags[w] = tagOf.apply(vocabulary.word(w));
            tagCounts.merge(tags[w], 1, Integer::sum);
        }
        int others = vocabulary.size() - 3;
        double rate = 0;
        double random = 0;
        for (String q : queries) {
            int qid = id(q);
            int same = 0;
            int[] near = nearestIds(qid, k);
            for (int n : near) {
                same += tags[n].equals(tags[qid]) ? 1 : 0;
            }
            rate += same / (double) near.length;
            random += (tagCounts.get(tags[qid]) - 1) / (double) Math.max(1, others);
        }
        return new Agreement(rate / queries.size(), random / queries.size(), queries.size(), k);
    }

    private int id(String word) {
        int id = vocabulary.id(word);
        if (id == Vocabulary.UNK_ID || id == Vocabulary.PAD_ID) {
            throw new IllegalArgumentException("WordVectors: '" + word + "' is not in the vocabulary of "
                    + vocabulary.size() + " words");
        }
        return id;
    }

    private double dot(int a, int b) {
        double s = 0;
        for (int j = 0; j < dim; j++) {
            s += (double) unit[a * dim + j] * unit[b * dim + j];
        }
        return s;
    }

    private int[] nearestIds(int query, int k) {
        int candidates = vocabulary.size() - 3;
        int m = Math.min(k, candidates);
        int[] best = new int[m];
        double[] score = new double[m];
        int filled = 0;
        for (int w = 2; w < vocabulary.size(); w++) {
            if (w == query) {
                continue;
            }
            double s = dot(query, w);
            if (filled < m || s > score[filled - 1]) {
                int i = filled < m ? filled++ : m - 1;
                while (i > 0 && score[i - 1] < s) {
                    best[i] = best[i - 1];
                    score[i] = score[i - 1];
                    i--;
                }
                best[i] = w;
                score[i] = s;
            }
        }
        return Arrays.copyOf(best, filled);
    }

    /** Writes the (unit-length) vectors and the vocabulary to a safetensors file. */
    public void save(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "nabla-word-vectors");
        meta.put("words", String.join("\n", vocabulary.words()));
        Safetensors.write(file, Map.of("vectors", Tensor.fromArray(unit.clone(), vocabulary.size(), dim)), meta);
    }

    /** Reads a file written by {@link #save}. */
    public static WordVectors load(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        String words = c.metadata().get("words");
        Tensor vectors = c.tensors().get("vectors");
        if (!"nabla-word-vectors".equals(c.metadata().get("format")) || words == null || vectors == null) {
            throw new IOException(file + ": not a word-vector file (write one with WordVectors.save or nabla embed --out)");
        }
        try {
            return new WordVectors(Vocabulary.of(Arrays.asList(words.split("\n", -1))), vectors);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
