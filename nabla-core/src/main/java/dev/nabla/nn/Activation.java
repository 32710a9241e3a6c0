package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/** The activation functions a layer can apply to its output, by their Keras names. */
public enum Activation {
    LINEAR("linear"),
    RELU("relu"),
    SIGMOID("sigmoid"),
    TANH("tanh"),
    SOFTMAX("softmax"),
    LEAKY_RELU("leaky_relu"),
    GELU("gelu");

    private final String kerasName;

    Activation(String kerasName) {
        this.kerasName = kerasName;
    }

    /** Applies the activation; softmax runs over the last dimension. */
    public Tensor apply(Tensor x) {
        return switch (this) {
            case LINEAR -> x;
            case RELU -> x.relu();
            case SIGMOID -> x.sigmoid();
            case TANH -> x.tanh();
            case SOFTMAX -> x.softmax(-1);
            case LEAKY_RELU -> x.leakyRelu(0.01);
            case GELU -> x.gelu();
        };
    }

    /** The Keras name, as used in model configs. */
    public String kerasName() {
        return kerasName;
    }

    /** The activation with this Keras name, or an error listing the known names. */
    public static Activation fromName(String name) {
        for (Activation a : values()) {
            if (a.kerasName.equalsIgnoreCase(name) || a.name().equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name + "'; known: "
                + java.util.Arrays.stream(values()).map(Activation::kerasName).toList());
    }
}
