package dev.nabla.text;

import dev.nabla.autograd.GradMode;
import dev.nabla.io.Safetensors;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A part-of-speech tagger: a {@link SequenceTagger} network with the {@link WordFeatures} it reads and its tag set
 * (tags most frequent in training first). Saved as one safetensors file: the network's weights by name, and in the
 * metadata the vocabularies, tags and sizes.
 */
public final class PosTagger {
    /** A batch ready for the network: ids {@code [N, T, 3]}, real lengths, and the flat real positions {@code n·T + t}. */
    public record Inputs(Tensor ids, int[] lengths, int[] positions) {}

    private static final String FORMAT = "nabla-pos-tagger";

    private final SequenceTagger network;
    private final WordFeatures features;
    private final List<String> tags;
    private final Map<String, Integer> tagIds = new HashMap<>();

    /** Wraps a network whose outputs are scores for {@code tags}, reading {@code features}. */
    public PosTagger(SequenceTagger network, WordFeatures features, List<String> tags) {
        if (network.settings().tags() != tags.size()) {
            throw new IllegalArgumentException("PosTagger: the network scores " + network.settings().tags()
                    + " tags but " + tags.size() + " were given");
        }
        this.network = network;
        this.features = features;
        this.tags = List.copyOf(tags);
        for (int i = 0; i < tags.size(); i++) {
            tagIds.put(tags.get(i), i);
        }
    }

    /**
     * A new tagger for the words and tags of {@code train}: words and suffixes seen at least {@code minCount}
     * times, word embeddings of width {@code dim}, an LSTM of {@code hidden} units each way.
     */
    public static PosTagger create(List<BrownCorpus.Sentence> train, int minCount, int dim, int hidden,
            double dropout, Generator generator) {
        WordFeatures features = WordFeatures.build(train.stream().map(BrownCorpus.Sentence::words).toList(),
                minCount);
        Map<String, Integer> counts = new LinkedHashMap<>();
        train.forEach(s -> s.tags().forEach(t -> counts.merge(t, 1, Integer::sum)));
        List<String> tags = new ArrayList<>(counts.keySet());
        tags.sort((a, b) -> Integer.compare(counts.get(b), counts.get(a)));
        var config = new SequenceTagger.Config(features.words().size(), features.suffixes().size(), tags.size(), dim,
                hidden, dropout);
        return new PosTagger(new SequenceTagger(config, generator), features, tags);
    }

    /** The ids of each sentence's words, {@code [3][T]} ({@link WordFeatures#encode}). */
    public List<int[][]> encode(List<List<String>> sentences) {
        return sentences.stream().map(features::encode).toList();
    }

    /** The tag ids of a sentence's tags; a tag training never saw is an error naming it. */
    public int[] tagIds(List<String> sentenceTags) {
        int[] ids = new int[sentenceTags.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = tagIds.get(sentenceTags.get(i));
            if (id == null) {
                throw new IllegalArgumentException("PosTagger: tag '" + sentenceTags.get(i) + "' is not among the "
                        + tags.size() + " tags of this tagger");
            }
            ids[i] = id;
        }
        return ids;
    }

    /** The sentences at {@code indices} of {@code encoded} as one padded batch. */
    public static Inputs batch(List<int[][]> encoded, int[] indices) {
        int t = 0;
        for (int i : indices) {
            t = Math.max(t, encoded.get(i)[0].length);
        }
        float[] ids = new float[indices.length * t * 3];
        int[] lengths = new int[indices.length];
        int real = 0;
        for (int r = 0; r < indices.length; r++) {
            int[][] s = encoded.get(indices[r]);
            lengths[r] = s[0].length;
            real += lengths[r];
            for (int j = 0; j < lengths[r]; j++) {
                for (int f = 0; f < 3; f++) {
                    ids[(r * t + j) * 3 + f] = s[f][j];
                }
            }
        }
        int[] positions = new int[real];
        int k = 0;
        for (int r = 0; r < indices.length; r++) {
            for (int j = 0; j < lengths[r]; j++) {
                positions[k++] = r * t + j;
            }
        }
        return new Inputs(Tensor.fromArray(ids, indices.length, t, 3), lengths, positions);
    }

    /** The most likely tag of every word, sentence by sentence, computed in batches of {@code batch} without dropout. */
    public List<List<String>> tag(List<List<String>> sentences, int batch) {
        boolean training = network.isTraining();
        network.eval();
        List<int[][]> encoded = encode(sentences);
        List<int[]> words = encoded.stream().map(e -> e[0]).toList();
        List<List<String>> out = new ArrayList<>(Collections.nCopies(sentences.size(), null));
        try (var scope = GradMode.noGrad()) {
            for (SequenceBatcher.Batch b : new SequenceBatcher(batch, 0, true).batches(words, null)) {
                Inputs in = batch(encoded, b.indices());
                double[] scores = network.scores(in.ids(), in.lengths(), in.positions()).toDoubleArray();
                int c = tags.size();
                int k = 0;
                for (int r = 0; r < b.indices().length; r++) {
                    List<String> predicted = new ArrayList<>(in.lengths()[r]);
                    for (int j = 0; j < in.lengths()[r]; j++, k++) {
                        int best = 0;
                        for (int y = 1; y < c; y++) {
                            if (scores[k * c + y] > scores[k * c + best]) {
                                best = y;
                            }
                        }
                        predicted.add(tags.get(best));
                    }
                    out.set(b.indices()[r], predicted);
                }
            }
        }
        network.train(training);
        return out;
    }

    /** Writes the weights, vocabularies, tags and sizes to one safetensors file. */
    public void save(Path file) throws IOException {
        SequenceTagger.Config c = network.settings();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("words", String.join("\n", features.words().words()));
        meta.put("suffixes", String.join("\n", features.suffixes().words()));
        meta.put("tags", String.join("\n", tags));
        meta.put("sizes", c.dim() + " " + c.hidden() + " " + c.dropout());
        Safetensors.write(file, network.stateDict(), meta);
    }

    /** Reads a file written by {@link #save}. */
    public static PosTagger load(Path file) throws IOException {
        Safetensors.Contents contents = Safetensors.read(file);
        Map<String, String> meta = contents.metadata();
        if (!FORMAT.equals(meta.get("format")) || meta.get("sizes") == null) {
            throw new IOException(file + ": not a POS tagger file (metadata format is not " + FORMAT
                    + "); write one with PosTagger.save or nabla tag-pos --out");
        }
        try {
            WordFeatures features = new WordFeatures(Vocabulary.of(lines(meta.get("words"))),
                    Vocabulary.of(lines(meta.get("suffixes"))));
            List<String> tags = lines(meta.get("tags"));
            String[] sizes = meta.get("sizes").split(" ");
            SequenceTagger network = new SequenceTagger(new SequenceTagger.Config(features.words().size(),
                    features.suffixes().size(), tags.size(), Integer.parseInt(sizes[0]), Integer.parseInt(sizes[1]),
                    Double.parseDouble(sizes[2])), new Generator(0));
            network.loadStateDict(contents.tensors(), true);
            return new PosTagger(network, features, tags);
        } catch (RuntimeException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static List<String> lines(String text) {
        return text == null ? List.of() : Arrays.asList(text.split("\n", -1));
    }

    public SequenceTagger network() {
        return network;
    }

    public WordFeatures features() {
        return features;
    }

    /** The tag set, most frequent in training first. */
    public List<String> tags() {
        return tags;
    }
}
