package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Layers applied one after another; children are named "0", "1", ... as in PyTorch. */
public class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    /** A stack of the given layers. */
    public Sequential(Module... layers) {
        for (Module m : layers) {
            add(m);
        }
    }

    /** Appends a layer. */
    public Sequential add(Module layer) {
        if (layer == null) {
            throw new IllegalArgumentException("Sequential: layer " + layers.size() + " is null");
        }
        registerModule(Integer.toString(layers.size()), layer);
        layers.add(layer);
        return this;
    }

    /** The layers in order. */
    public List<Module> layers() {
        return List.copyOf(layers);
    }

    /**
     * Each layer in turn; a {@link Conv2d} with a relu (or no activation) followed by a {@link MaxPool2d} runs as one
     * op ({@link Tensor#conv2dMaxPool}): the same values and gradients, but the convolution's output is pooled block
     * by block while it is in the cache instead of being written out whole and read back, and the relu and its
     * backward pass cover the pooled values only (relu and max commute, NaN included, and a window's gradient
     * reaches its first maximum only where that is positive either way). A convolution or {@link Linear} without
     * activation followed by a {@link ReLU} layer (PyTorch's way of writing it, with a {@link MaxPool2d} after it or
     * not) runs as the same fused op as the layer with a relu of its own.
     */
    @Override
    public Tensor forward(Tensor x) {
        for (int i = 0; i < layers.size(); i++) {
            Module m = layers.get(i);
            Module next = i + 1 < layers.size() ? layers.get(i + 1) : null;
            Module after = i + 2 < layers.size() ? layers.get(i + 2) : null;
            if (m instanceof Conv2d conv && conv.fusesWithMaxPool() && next instanceof MaxPool2d pool) {
                x = conv.forwardThenPool(x, pool);
                i++;
            } else if (m instanceof Conv2d conv && conv.fusesWithMaxPool() && conv.hasNoActivation()
                    && next instanceof ReLU && after instanceof MaxPool2d pool) {
                x = conv.forwardThenReluThenPool(x, pool);
                i += 2;
            } else if (m instanceof Convolution conv && conv.hasNoActivation() && next instanceof ReLU) {
                x = conv.forwardThenRelu(x);
                i++;
            } else if (m instanceof Linear linear && linear.activation() == Activation.LINEAR
                    && next instanceof ReLU) {
                x = linear.forwardThenRelu(x);
                i++;
            } else {
                x = m.forward(x);
            }
        }
        return x;
    }

    /** The configs of the layers in order, under "layers". */
    @Override
    public Map<String, Object> config() {
        List<Object> configs = new ArrayList<>();
        for (Module m : layers) {
            configs.add(Layers.toConfig(m));
        }
        return Map.of("layers", configs);
    }

    @Override
    public int[] build(int[] inputShape, Generator generator) {
        int[] shape = inputShape;
        for (int i = 0; i < layers.size(); i++) {
            try {
                shape = layers.get(i).build(shape, generator);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer " + i + " (" + layers.get(i).typeName() + "): "
                        + e.getMessage(), e);
            }
        }
        return shape;
    }
}
