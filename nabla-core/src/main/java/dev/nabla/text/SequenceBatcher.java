package dev.nabla.text;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Groups variable-length sequences into padded batches. With bucketing, sequences of similar length go together
 * (shuffle, cut into pools of {@code poolBatches} batches, sort each pool by length, cut into batches, shuffle the
 * batches), so little of each batch is padding; without it, batches follow the (shuffled) order.
 */
public final class SequenceBatcher {
    /** Ids {@code [N, T]} (T the longest length, shorter rows filled with the pad id), each row's real length, and which input sequences these are. */
    public record Batch(Tensor ids, int[] lengths, int[] indices) {
        /** Real tokens over all positions. */
        public double fill() {
            return Arrays.stream(lengths).sum() / (double) Math.max(1, ids.numel());
        }
    }

    private final int batchSize;
    private final int padId;
    private final boolean bucket;
    private final int poolBatches;

    /** Batches of {@code batchSize}, padded with {@code padId}, bucketed by length when {@code bucket}. */
    public SequenceBatcher(int batchSize, int padId, boolean bucket) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("SequenceBatcher: batchSize must be positive, got " + batchSize);
        }
        this.batchSize = batchSize;
        this.padId = padId;
        this.bucket = bucket;
        this.poolBatches = 50;
    }

    /** One epoch of batches over {@code sequences}, in an order drawn from {@code generator} (null: input order). */
    public List<Batch> batches(List<int[]> sequences, Generator generator) {
        int[] order = new int[sequences.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (generator != null) {
            generator.shuffle(order);
        }
        List<int[]> groups = new ArrayList<>();
        int pool = bucket ? batchSize * poolBatches : batchSize;
        for (int start = 0; start < order.length; start += pool) {
            Integer[] chunk = Arrays.stream(order, start, Math.min(order.length, start + pool)).boxed().toArray(Integer[]::new);
            if (bucket) {
                Arrays.sort(chunk, Comparator.comparingInt(i -> sequences.get(i).length));
            }
            for (int b = 0; b < chunk.length; b += batchSize) {
                groups.add(Arrays.stream(chunk, b, Math.min(chunk.length, b + batchSize)).mapToInt(Integer::intValue).toArray());
            }
        }
        if (bucket && generator != null) {
            int[] batchOrder = new int[groups.size()];
            for (int i = 0; i < batchOrder.length; i++) {
                batchOrder[i] = i;
            }
            generator.shuffle(batchOrder);
            List<int[]> shuffled = new ArrayList<>();
            for (int i : batchOrder) {
                shuffled.add(groups.get(i));
            }
            groups = shuffled;
        }
        List<Batch> out = new ArrayList<>();
        for (int[] g : groups) {
            out.add(pad(sequences, g));
        }
        return out;
    }

    /** The sequences at {@code indices} as one padded batch. */
    public Batch pad(List<int[]> sequences, int[] indices) {
        int t = 0;
        for (int i : indices) {
            t = Math.max(t, sequences.get(i).length);
        }
        float[] ids = new float[indices.length * t];
        Arrays.fill(ids, padId);
        int[] lengths = new int[indices.length];
        for (int r = 0; r < indices.length; r++) {
            int[] s = sequences.get(indices[r]);
            lengths[r] = s.length;
            for (int j = 0; j < s.length; j++) {
                ids[r * t + j] = s[j];
            }
        }
        return new Batch(Tensor.fromArray(ids, indices.length, t), lengths, indices.clone());
    }
}
