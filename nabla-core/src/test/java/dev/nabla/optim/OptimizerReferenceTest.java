package dev.nabla.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every optimizer configuration against PyTorch's trajectory ({@code optim-reference.txt}, made by
 * {@code tools/reference/make_optim_fixtures.py}): the same gradients in, the same parameters out after each step, in
 * float64 tightly and in float32 loosely. Also gradient clipping and schedules against PyTorch's values.
 */
class OptimizerReferenceTest {
    /** The lines of the reference file, grouped into blocks that start with a keyword ("case", "clip", "schedule"). */
    static List<List<String>> blocks() throws IOException {
        List<List<String>> blocks = new ArrayList<>();
        try (var in = OptimizerReferenceTest.class.getResourceAsStream("/optim-reference.txt")) {
            assertTrue(in != null, "optim-reference.txt is missing from test resources");
            var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                if (line.startsWith("case ") || line.startsWith("clip ") || line.startsWith("schedule ")) {
                    blocks.add(new ArrayList<>());
                }
                blocks.get(blocks.size() - 1).add(line);
            }
        }
        return blocks;
    }

    /** "[3,4] 1.0 2.0 ..." as a float64 tensor, or null for "none". */
    static Tensor parse(String text) {
        if (text.equals("none")) {
            return null;
        }
        int close = text.indexOf(']');
        String dims = text.substring(1, close);
        int[] shape = dims.isEmpty() ? new int[0] : Arrays.stream(dims.split(",")).mapToInt(Integer::parseInt).toArray();
        double[] v = Arrays.stream(text.substring(close + 1).trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
        return Tensor.fromArray(v, shape);
    }

    static String rest(String line, String keyword) {
        assertTrue(line.startsWith(keyword + " "), "expected '" + keyword + "', got: " + line);
        return line.substring(keyword.length() + 1);
    }

    /** "key=value" pairs after the first {@code skip} words. */
    static Map<String, Double> settings(String line, int skip) {
        Map<String, Double> out = new HashMap<>();
        String[] words = line.split(" ");
        for (int i = skip; i < words.length; i++) {
            String[] kv = words[i].split("=");
            out.put(kv[0], Double.parseDouble(kv[1]));
        }
        return out;
    }

    /** The optimizer an "opt" line describes, with PyTorch's defaults for settings it leaves out. */
    static Optimizer build(String optLine, List<Tensor> params) {
        String kind = optLine.split(" ")[1];
        Map<String, Double> s = settings(optLine, 2);
        Set<String> known = new TreeSet<>();
        java.util.function.BiFunction<String, Double, Double> get = (key, dflt) -> {
            known.add(key);
            return s.getOrDefault(key, dflt);
        };
        double lr = get.apply("lr", Double.NaN);
        Optimizer opt = switch (kind) {
            case "sgd" -> new SGD(params, lr, get.apply("momentum", 0.0), get.apply("dampening", 0.0),
                    get.apply("weight_decay", 0.0), get.apply("nesterov", 0.0) != 0);
            case "adam" -> new Adam(params, lr, get.apply("beta1", 0.9), get.apply("beta2", 0.999),
                    get.apply("eps", 1e-8), get.apply("weight_decay", 0.0));
            case "adamw" -> new AdamW(params, lr, get.apply("beta1", 0.9), get.apply("beta2", 0.999),
                    get.apply("eps", 1e-8), get.apply("weight_decay", 0.01));
            case "rmsprop" -> new RMSProp(params, lr, get.apply("alpha", 0.99), get.apply("eps", 1e-8),
                    get.apply("weight_decay", 0.0), get.apply("momentum", 0.0), get.apply("centered", 0.0) != 0);
            case "adagrad" -> new Adagrad(params, lr, get.apply("lr_decay", 0.0), get.apply("weight_decay", 0.0),
                    get.apply("initial_accumulator_value", 0.0), get.apply("eps", 1e-10));
            default -> throw new AssertionError("unknown optimizer in optim-reference.txt: " + kind);
        };
        assertTrue(known.containsAll(s.keySet()), "settings not understood in: " + optLine);
        return opt;
    }

    static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        assertEquals(e.length, a.length, what + ": element count");
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(e[i] - a[i]) <= tol * (1 + Math.abs(e[i])))) {
                fail(what + ": element " + i + " is " + a[i] + ", PyTorch has " + e[i] + " (tolerance " + tol + ")");
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> trajectoriesMatchPyTorch() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (List<String> block : blocks()) {
            if (!block.get(0).startsWith("case ")) {
                continue;
            }
            String name = rest(block.get(0), "case");
            tests.add(DynamicTest.dynamicTest(name + " float64", () -> replay(block, DType.FLOAT64, 1e-11)));
            tests.add(DynamicTest.dynamicTest(name + " float32", () -> replay(block, DType.FLOAT32, 2e-5)));
        }
        assertTrue(tests.size() >= 2 * 14, "too few optimizer cases in optim-reference.txt: " + tests.size() / 2);
        return tests.stream();
    }

    private static void replay(List<String> block, DType dtype, double tol) {
        String name = rest(block.get(0), "case");
        List<Tensor> params = new ArrayList<>();
        int line = 2;
        while (block.get(line).startsWith("init ")) {
            params.add(parse(rest(block.get(line++), "init")).to(dtype).requiresGrad(true));
        }
        Optimizer opt = build(block.get(1), params);
        int step = 0;
        int skipped = 0;
        while (line < block.size()) {
            step++;
            for (Tensor p : params) {
                Tensor g = parse(rest(block.get(line++), "grad"));
                p.setGrad(g == null ? null : g.to(dtype));
                skipped += g == null ? 1 : 0;
            }
            opt.step();
            for (int i = 0; i < params.size(); i++) {
                assertClose(parse(rest(block.get(line++), "param")), params.get(i), tol,
                        name + " " + dtype + " step " + step + " parameter " + i);
            }
        }
        assertTrue(step >= 5 && skipped > 0, name + ": the reference should have several steps, some skipping");
        assertEquals(step, opt.stepCount());
    }

    @Test
    void clippingMatchesPyTorch() throws IOException {
        int cases = 0;
        for (List<String> block : blocks()) {
            if (!block.get(0).startsWith("clip ")) {
                continue;
            }
            cases++;
            for (DType dtype : DType.values()) {
                double tol = dtype == DType.FLOAT64 ? 1e-13 : 1e-6;
                String[] head = block.get(0).split(" ");
                Map<String, Double> s = settings(block.get(0), 2);
                List<Tensor> params = new ArrayList<>();
                int line = 1;
                while (block.get(line).startsWith("grad ")) {
                    Tensor g = parse(rest(block.get(line++), "grad")).to(dtype);
                    Tensor p = g.zerosLike().requiresGrad(true);
                    p.setGrad(g);
                    params.add(p);
                }
                String what = "clip " + head[1] + " " + dtype;
                if (head[1].equals("value")) {
                    GradClip.byValue(params, s.get("clip_value"));
                } else {
                    double total = GradClip.byGlobalNorm(params, s.get("max_norm"));
                    double expected = Double.parseDouble(rest(block.get(line++), "total"));
                    assertEquals(expected, total, tol * expected, what + ": total norm");
                }
                for (Tensor p : params) {
                    assertClose(parse(rest(block.get(line++), "after")), p.grad(), tol, what);
                }
            }
        }
        assertEquals(3, cases, "clip cases in optim-reference.txt");
    }

    @Test
    void schedulesMatchPyTorch() throws IOException {
        int cases = 0;
        for (List<String> block : blocks()) {
            if (!block.get(0).startsWith("schedule ")) {
                continue;
            }
            cases++;
            String kind = block.get(0).split(" ")[1];
            Map<String, Double> s = settings(block.get(0), 2);
            LearningRateSchedule schedule = switch (kind) {
                case "step" -> LearningRateSchedule.stepDecay(s.get("lr"), s.get("step_size").intValue(), s.get("gamma"));
                case "exponential" -> LearningRateSchedule.exponential(s.get("lr"), s.get("gamma"));
                case "cosine" -> LearningRateSchedule.cosine(s.get("lr"), s.get("min_lr"), s.get("epochs").intValue());
                default -> throw new AssertionError("unknown schedule in optim-reference.txt: " + kind);
            };
            double[] rates = Arrays.stream(rest(block.get(1), "rates").split(" ")).mapToDouble(Double::parseDouble)
                    .toArray();
            for (int epoch = 0; epoch < rates.length; epoch++) {
                assertEquals(rates[epoch], schedule.rate(epoch), 1e-12 * rates[epoch], kind + " epoch " + epoch);
            }
        }
        assertEquals(3, cases, "schedule cases in optim-reference.txt");
    }
}
