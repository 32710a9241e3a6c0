package dev.nabla.io;

import dev.nabla.nn.Module;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A training checkpoint in one safetensors file, everything needed to continue training bit for bit: the weights,
 * the optimizer's state, the number of epochs done, the states of the network's random generators and the history.
 * One file replaced atomically ({@link AtomicFiles}) means a crash while writing leaves the previous checkpoint whole.
 *
 * <p>Tensors: {@code "model.<name>"} for each entry of {@link Module#stateDict()} and {@code "optimizer.<key>"} for
 * each entry of {@link Optimizer#stateDict()}. The {@code __metadata__} strings:
 * <ul>
 * <li>{@code "format": "nabla-checkpoint"}, {@code "format_version": "1"};
 * <li>{@code "config"}: the architecture and input shape, the same JSON as in a {@link ModelFile};
 * <li>{@code "optimizer"}: the optimizer's class name ({@code "Adam"});
 * <li>{@code "epoch"}: epochs completed (training resumes at this epoch index), {@code "global_step"}: optimizer
 * steps taken, both decimal integers;
 * <li>{@code "generators"}: a JSON object mapping each {@link Module#namedGenerators()} name to its
 * {@link Generator#state()}, three 64-bit integers;
 * <li>{@code "history"}: a JSON array with one object of logs per completed epoch; numbers JSON cannot hold are the
 * strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"};
 * <li>{@code "training"}: a JSON object of settings a resumed run must repeat (seed, batch size), may be empty.
 * </ul>
 *
 * <p>Reading validates every field and names the file and the field in its {@link ModelFileException}.
 */
public final class CheckpointFile {
    /** The value of the metadata field "format". */
    public static final String FORMAT = "nabla-checkpoint";
    /** The value of the metadata field "format_version" this version writes and reads. */
    public static final String FORMAT_VERSION = "1";
    /**
     * For crash tests only: when this system property equals a checkpoint's epoch, {@link #write} stops after the
     * temporary file is written and before it replaces the target, prints {@code PAUSE_MARKER} and the target to
     * standard output, and sleeps a minute, so a test can kill the process in the middle of a checkpoint.
     */
    public static final String PAUSE_PROPERTY = "nabla.checkpoint.testPauseAtEpoch";
    /** The line prefix printed at the pause of {@link #PAUSE_PROPERTY}. */
    public static final String PAUSE_MARKER = "nabla-checkpoint-paused:";

    private static final String MODEL = "model.";
    private static final String OPTIMIZER = "optimizer.";

    private CheckpointFile() {}

    /** What a checkpoint holds. Maps and lists are read-only. */
    public record Contents(String config, String optimizerType, int epoch, long globalStep, Map<String, Tensor> model,
            Map<String, Tensor> optimizer, Map<String, long[]> generators, List<Map<String, Double>> history,
            Map<String, Object> training) {}

    /**
     * Atomically writes a checkpoint after {@code epoch} completed epochs, replacing any file at {@code file} only
     * once the new one is complete and flushed to disk.
     */
    public static void write(Path file, Module network, int[] inputShape, Optimizer optimizer, int epoch,
            List<Map<String, Double>> history, Map<String, Object> training) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        network.stateDict().forEach((k, v) -> tensors.put(MODEL + k, v));
        optimizer.stateDict().forEach((k, v) -> tensors.put(OPTIMIZER + k, v));
        Map<String, Object> generators = new LinkedHashMap<>();
        network.namedGenerators().forEach((k, g) -> {
            List<Object> words = new ArrayList<>();
            for (long w : g.state()) {
                words.add(w);
            }
            generators.put(k, words);
        });
        List<Object> epochs = new ArrayList<>();
        for (Map<String, Double> logs : history) {
            Map<String, Object> e = new LinkedHashMap<>();
            logs.forEach((k, v) -> e.put(k, Double.isFinite(v) ? (Object) v : Double.toString(v)));
            epochs.add(e);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("format_version", FORMAT_VERSION);
        metadata.put("config", ModelFile.config(network, inputShape));
        metadata.put("optimizer", optimizer.getClass().getSimpleName());
        metadata.put("epoch", Integer.toString(epoch));
        metadata.put("global_step", Long.toString(optimizer.stepCount()));
        metadata.put("generators", Json.write(generators));
        metadata.put("history", Json.write(epochs));
        metadata.put("training", Json.write(training == null ? Map.of() : new LinkedHashMap<>(training)));
        boolean pause = Integer.toString(epoch).equals(System.getProperty(PAUSE_PROPERTY));
        AtomicFiles.write(file, out -> {
            Safetensors.write(out, tensors, metadata);
            if (pause) {
                out.flush();
                pauseForCrashTest(file);
            }
        });
    }

    private static void pauseForCrashTest(Path file) {
        PrintStream stdout = System.out;
        stdout.println(PAUSE_MARKER + " " + file);
        stdout.flush();
        try {
            Thread.sleep(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads and validates a checkpoint file. */
    public static Contents read(Path file) throws IOException {
        Safetensors.Contents contents = Safetensors.read(file);
        Map<String, String> metadata = contents.metadata();
        String format = metadata.get("format");
        if (!FORMAT.equals(format)) {
            throw new ModelFileException(file, format == null ? "no metadata field 'format': not a Nabla checkpoint"
                    : "metadata field 'format' is '" + format + "', expected '" + FORMAT + "'"
                    + (format.equals(ModelFile.FORMAT) ? " (this is a model file, not a checkpoint)" : ""));
        }
        String version = field(file, metadata, "format_version");
        if (!FORMAT_VERSION.equals(version)) {
            throw new ModelFileException(file, "metadata field 'format_version' is '" + version
                    + "'; this version of Nabla reads '" + FORMAT_VERSION + "'");
        }
        String config = field(file, metadata, "config");
        String optimizerType = field(file, metadata, "optimizer");
        long epoch = wholeNumber(file, metadata, "epoch");
        if (epoch > Integer.MAX_VALUE) {
            throw new ModelFileException(file, "metadata field 'epoch' is " + epoch + ", too large");
        }
        long globalStep = wholeNumber(file, metadata, "global_step");
        Map<String, long[]> generators = generators(file, json(file, metadata, "generators"));
        List<Map<String, Double>> history = history(file, json(file, metadata, "history"));
        if (history.size() != epoch) {
            throw new ModelFileException(file, "metadata field 'history' has " + history.size()
                    + " epochs but field 'epoch' says " + epoch);
        }
        Object training = json(file, metadata, "training");
        if (!(training instanceof Map)) {
            throw new ModelFileException(file, "metadata field 'training' is a JSON " + Json.kind(training)
                    + ", expected an object");
        }
        Map<String, Tensor> model = new LinkedHashMap<>();
        Map<String, Tensor> optimizer = new LinkedHashMap<>();
        contents.tensors().forEach((name, t) -> {
            if (name.startsWith(MODEL)) {
                model.put(name.substring(MODEL.length()), t);
            } else if (name.startsWith(OPTIMIZER)) {
                optimizer.put(name.substring(OPTIMIZER.length()), t);
            }
        });
        if (model.size() + optimizer.size() != contents.tensors().size()) {
            for (String name : contents.tensors().keySet()) {
                if (!name.startsWith(MODEL) && !name.startsWith(OPTIMIZER)) {
                    throw new ModelFileException(file, "tensor '" + name + "' is neither 'model.*' nor 'optimizer.*'");
                }
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> trainingMap = Collections.unmodifiableMap((Map<String, Object>) training);
        return new Contents(config, optimizerType, (int) epoch, globalStep, Collections.unmodifiableMap(model),
                Collections.unmodifiableMap(optimizer), Collections.unmodifiableMap(generators),
                Collections.unmodifiableList(history), trainingMap);
    }

    /**
     * Reads a checkpoint and loads it into a network built for {@code inputShape} and its optimizer: weights,
     * optimizer state and generator states. Checks first that the architecture, the optimizer's kind and the
     * generator names match, and that every entry of {@code training} the checkpoint also records has the same
     * value, so a mismatch fails before anything changes.
     */
    public static Contents restore(Path file, Module network, int[] inputShape, Optimizer optimizer,
            Map<String, Object> training) throws IOException {
        Contents c = read(file);
        for (Map.Entry<String, Object> e : training.entrySet()) {
            Object saved = c.training().get(e.getKey());
            if (saved != null && !saved.equals(e.getValue())) {
                throw new ModelFileException(file, "metadata field 'training' has " + e.getKey() + " = " + saved
                        + " but this run has " + e.getValue() + "; resuming bit for bit needs the same setting");
            }
        }
        String expected = ModelFile.config(network, inputShape);
        if (!expected.equals(c.config())) {
            throw new ModelFileException(file, "metadata field 'config' describes another network: the checkpoint"
                    + " has " + c.config() + " but the model is " + expected);
        }
        String kind = optimizer.getClass().getSimpleName();
        if (!kind.equals(c.optimizerType())) {
            throw new ModelFileException(file, "metadata field 'optimizer' is '" + c.optimizerType()
                    + "' but the model is compiled with " + kind);
        }
        Map<String, Generator> generators = network.namedGenerators();
        if (!generators.keySet().equals(c.generators().keySet())) {
            throw new ModelFileException(file, "metadata field 'generators' names " + new TreeSet<>(c.generators()
                    .keySet()) + " but the network has generators " + new TreeSet<>(generators.keySet()));
        }
        try {
            optimizer.loadStateDict(c.optimizer());
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, "the 'optimizer.*' tensors do not fit the optimizer: "
                    + e.getMessage(), e);
        }
        try {
            network.loadStateDict(c.model(), true);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, "the 'model.*' tensors do not fit the network: " + e.getMessage(), e);
        }
        generators.forEach((name, g) -> g.setState(c.generators().get(name)));
        return c;
    }

    // ---------------------------------------------------------------- field parsing

    private static String field(Path file, Map<String, String> metadata, String name) throws ModelFileException {
        String value = metadata.get(name);
        if (value == null) {
            throw new ModelFileException(file, "metadata field '" + name + "' is missing");
        }
        return value;
    }

    private static long wholeNumber(Path file, Map<String, String> metadata, String name) throws ModelFileException {
        String value = field(file, metadata, name);
        try {
            long n = Long.parseLong(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ModelFileException(file, "metadata field '" + name + "' is '" + value
                + "', expected a whole number >= 0");
    }

    private static Object json(Path file, Map<String, String> metadata, String name) throws ModelFileException {
        String value = field(file, metadata, name);
        try {
            return Json.parse(value);
        } catch (JsonException e) {
            throw new ModelFileException(file, "metadata field '" + name + "' is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static Map<String, long[]> generators(Path file, Object value) throws ModelFileException {
        if (!(value instanceof Map)) {
            throw new ModelFileException(file, "metadata field 'generators' is a JSON " + Json.kind(value)
                    + ", expected an object");
        }
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            Object words = e.getValue();
            String where = "metadata field 'generators', entry '" + e.getKey() + "'";
            if (!(words instanceof List) || ((List<?>) words).size() != 3) {
                throw new ModelFileException(file, where + " is " + Json.write(words) + ", expected 3 integers");
            }
            long[] state = new long[3];
            for (int i = 0; i < 3; i++) {
                Object w = ((List<?>) words).get(i);
                if (!(w instanceof Long)) {
                    throw new ModelFileException(file, where + "[" + i + "] is " + Json.write(w)
                            + ", expected a 64-bit integer");
                }
                state[i] = (Long) w;
            }
            out.put((String) e.getKey(), state);
        }
        return out;
    }

    private static final Set<String> NON_FINITE = Set.of("NaN", "Infinity", "-Infinity");

    private static List<Map<String, Double>> history(Path file, Object value) throws ModelFileException {
        if (!(value instanceof List)) {
            throw new ModelFileException(file, "metadata field 'history' is a JSON " + Json.kind(value)
                    + ", expected an array of objects");
        }
        List<Map<String, Double>> out = new ArrayList<>();
        List<?> epochs = (List<?>) value;
        for (int i = 0; i < epochs.size(); i++) {
            if (!(epochs.get(i) instanceof Map)) {
                throw new ModelFileException(file, "metadata field 'history'[" + i + "] is a JSON "
                        + Json.kind(epochs.get(i)) + ", expected an object");
            }
            Map<String, Double> logs = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) epochs.get(i)).entrySet()) {
                Object v = e.getValue();
                if (v instanceof Number) {
                    logs.put((String) e.getKey(), ((Number) v).doubleValue());
                } else if (v instanceof String && NON_FINITE.contains(v)) {
                    logs.put((String) e.getKey(), Double.parseDouble((String) v));
                } else {
                    throw new ModelFileException(file, "metadata field 'history'[" + i + "]." + e.getKey() + " is "
                            + Json.write(v) + ", expected a number");
                }
            }
            out.add(Collections.unmodifiableMap(logs));
        }
        return out;
    }
}
