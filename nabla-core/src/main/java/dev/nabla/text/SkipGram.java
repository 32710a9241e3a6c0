package dev.nabla.text;

import dev.nabla.nn.Module;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * Skip-gram with negative sampling (Mikolov et al., 2013, word2vec): each word has an input vector v (the word
 * vector kept afterwards) and an output vector u. For a word c seen near a word o, with k words n₁ … n_k drawn as
 * negatives, the loss is {@code −log σ(u_o·v_c) − Σᵢ log σ(−u_{nᵢ}·v_c)} (with −log σ(x) = softplus(−x));
 * {@link #loss} sums it over a batch of pairs, so that plain gradient descent on a batch takes the steps word2vec
 * takes pair by pair. Initialisation as in word2vec: v uniform in ±0.5/dim, u zero.
 */
public final class SkipGram extends Module {
    private final int words;
    private final int dim;
    private final Tensor input;
    private final Tensor output;

    /** Vectors of width {@code dim} for {@code words} ids. */
    public SkipGram(int words, int dim, Generator generator) {
        if (words <= 0 || dim <= 0) {
            throw new IllegalArgumentException("SkipGram: words " + words + " and dim " + dim + " must be positive");
        }
        this.words = words;
        this.dim = dim;
        input = registerParameter("input", Tensor.uniform(generator, -0.5 / dim, 0.5 / dim, words, dim));
        output = registerParameter("output", Tensor.zeros(words, dim));
    }

    /** The input vectors of ids {@code [...]}: {@code [..., dim]}. */
    @Override
    public Tensor forward(Tensor ids) {
        double[] v = ids.toDoubleArray();
        int[] index = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            index[i] = checkId(v[i]);
        }
        int[] shape = Arrays.copyOf(ids.shape(), ids.dim() + 1);
        shape[ids.dim()] = dim;
        return input.indexSelect(0, index).reshape(shape);
    }

    /**
     * The summed loss of the pairs {@code (centers[b], contexts[b])}, each against the {@code k} negatives
     * {@code negatives[b·k … b·k + k − 1]}.
     */
    public Tensor loss(int[] centers, int[] contexts, int[] negatives) {
        for (int[] ids : new int[][] {centers, contexts, negatives}) {
            for (int id : ids) {
                checkId(id);
            }
        }
        return loss(input, output, centers, contexts, negatives);
    }

    /** The same loss with explicit input vectors {@code [V, d]} and output vectors {@code [V, d]} (for gradient checks). */
    public static Tensor loss(Tensor input, Tensor output, int[] centers, int[] contexts, int[] negatives) {
        int b = centers.length;
        if (contexts.length != b || b == 0 || negatives.length % b != 0) {
            throw new IllegalArgumentException("SkipGram.loss: " + b + " centers, " + contexts.length + " contexts and "
                    + negatives.length + " negatives: need as many contexts as centers (at least one) and k negatives"
                    + " for each");
        }
        int k = negatives.length / b;
        int[] targets = new int[b * (k + 1)];
        float[] signs = new float[b * (k + 1)];
        for (int i = 0; i < b; i++) {
            targets[i * (k + 1)] = contexts[i];
            signs[i * (k + 1)] = -1;
            System.arraycopy(negatives, i * k, targets, i * (k + 1) + 1, k);
            Arrays.fill(signs, i * (k + 1) + 1, (i + 1) * (k + 1), 1);
        }
        int[] repeated = new int[b * (k + 1)];
        for (int i = 0; i < repeated.length; i++) {
            repeated[i] = centers[i / (k + 1)];
        }
        Tensor v = input.indexSelect(0, repeated);
        Tensor u = output.indexSelect(0, targets);
        Tensor scores = u.mul(v).sum(1, false);
        return scores.mul(Tensor.fromArray(signs, b * (k + 1)).to(scores.dtype())).softplus().sum();
    }

    private int checkId(double id) {
        if (id != Math.rint(id) || id < 0 || id >= words) {
            throw new IllegalArgumentException("SkipGram: id " + id + " is not an integer in [0, " + words + ")");
        }
        return (int) id;
    }

    /** The word vectors, {@code [words, dim]}. */
    public Tensor vectors() {
        return input;
    }

    /** The context vectors, {@code [words, dim]}. */
    public Tensor contextVectors() {
        return output;
    }

    @Override
    protected String describe() {
        return "words=" + words + ", dim=" + dim;
    }
}
