package dev.nabla.testing;

import dev.nabla.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the PyTorch reference fixtures written by {@code tools/reference/make_*_fixtures.py}: per case, its inputs,
 * PyTorch's output, the upstream weight w, and PyTorch's gradients of sum(output · w), all float64.
 */
public final class ReferenceCases {
    private ReferenceCases() {}

    /** One reference case. */
    public record Case(String name, List<Tensor> inputs, Tensor output, Tensor weight, List<Tensor> grads) {}

    /** The cases of a fixture on the test class path, e.g. {@code "/op-reference.txt"}. */
    public static List<Case> load(String resource) throws IOException {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = ReferenceCases.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from the test resources");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String name = null;
            List<Tensor> inputs = new ArrayList<>();
            List<Tensor> grads = new ArrayList<>();
            Tensor output = null;
            Tensor weight = null;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String kind = line.substring(0, line.indexOf(' '));
                String rest = line.substring(kind.length() + 1);
                switch (kind) {
                    case "case" -> {
                        if (name != null) {
                            cases.add(new Case(name, inputs, output, weight, grads));
                        }
                        name = rest;
                        inputs = new ArrayList<>();
                        grads = new ArrayList<>();
                    }
                    case "input" -> inputs.add(parse(rest));
                    case "output" -> output = parse(rest);
                    case "weight" -> weight = parse(rest);
                    case "grad" -> grads.add(parse(rest));
                    default -> throw new IOException("unknown line in " + resource + ": " + line);
                }
            }
            if (name != null) {
                cases.add(new Case(name, inputs, output, weight, grads));
            }
        }
        return cases;
    }

    /** A tensor written as {@code [d0,d1] v0 v1 ...}. */
    public static Tensor parse(String text) {
        int close = text.indexOf(']');
        String dims = text.substring(1, close).trim();
        int[] shape = dims.isEmpty() ? new int[0] : Arrays.stream(dims.split(",")).mapToInt(Integer::parseInt).toArray();
        String values = text.substring(close + 1).trim();
        double[] v = values.isEmpty() ? new double[0]
                : Arrays.stream(values.split(" ")).mapToDouble(Double::parseDouble).toArray();
        return Tensor.fromArray(v, shape);
    }
}
