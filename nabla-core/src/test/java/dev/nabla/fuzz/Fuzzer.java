package dev.nabla.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A seeded, coverage-free mutational fuzzer that runs a file parser for a bounded time inside a JUnit test.
 *
 * <p>Iteration {@code i} picks a seed input and mutates it with a random generator made from the run's seed and
 * {@code i} alone, so any failure reproduces from the two numbers printed with it, whatever the time budget:
 * {@code -Dnabla.fuzz.seed=S -Dnabla.fuzz.only=I}. Every input must be accepted (the target then checks the result
 * is self-consistent) or rejected with one of the documented exception types and a non-empty message; anything else
 * (an unchecked exception escaping raw, an {@link OutOfMemoryError}, an input that takes longer than
 * {@link #TIMEOUT_MS}) fails the test with the seed, the iteration and the input.
 *
 * <p>A run stops at its time budget or its iteration cap, whichever comes first. The caps are set within the range
 * of inputs checked clean with the default seed, so a faster machine never meets an input a slower one did not.
 * System properties, to fuzz longer or reproduce: {@code nabla.fuzz.seed} (default fixed, so CI is deterministic),
 * {@code nabla.fuzz.millis} (time budget of each run), {@code nabla.fuzz.iterations} (cap),
 * {@code nabla.fuzz.only} (run that one iteration).
 */
final class Fuzzer {
    /** Longest a single input may take before it counts as a hang. */
    static final long TIMEOUT_MS = 5_000;

    private static final long DEFAULT_SEED = 0x6e61626c61L;

    /** Makes one input from the seeds. */
    @FunctionalInterface
    interface Generator {
        byte[] next(List<byte[]> seeds, SplittableRandom random);
    }

    /** Parses one input from a file; returns normally when it accepts, after checking what it produced. */
    @FunctionalInterface
    interface Target {
        void parse(Path file, byte[] input) throws Exception;
    }

    private Fuzzer() {}

    /** What a run did. */
    record Stats(int iterations, int accepted, int rejected) {
        /** Checks that a run of some length both accepted and rejected inputs, so its mutations are not all fatal. */
        void assertBothOutcomes() {
            if (iterations >= 100) {
                assertTrue(accepted > 0 && rejected > 0, "fuzzing reached only one outcome: " + this);
            }
        }
    }

    /**
     * Runs {@code target} on inputs made by {@code generator} until the time budget or the iteration cap is used,
     * and fails on the first input that is neither accepted nor rejected as documented.
     */
    @SafeVarargs
    static Stats run(String name, Path dir, long defaultMillis, long defaultIterations, List<byte[]> seeds,
            Generator generator, Target target, Class<? extends Throwable>... documented) throws Exception {
        long seed = Long.getLong("nabla.fuzz.seed", DEFAULT_SEED);
        long millis = Long.getLong("nabla.fuzz.millis", defaultMillis);
        long cap = Long.getLong("nabla.fuzz.iterations", defaultIterations);
        Long only = Long.getLong("nabla.fuzz.only");
        long first = only == null ? 0 : only;
        long last = only == null ? cap : only + 1;
        long deadline = System.nanoTime() + millis * 1_000_000;
        Path file = dir.resolve(name + ".bin");
        int accepted = 0;
        int rejected = 0;
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-" + name);
            t.setDaemon(true);
            return t;
        });
        try {
            long i = first;
            for (; i < last && (only != null || System.nanoTime() < deadline); i++) {
                SplittableRandom random = new SplittableRandom(seed ^ (i * 0x9E3779B97F4A7C15L));
                byte[] input = generator.next(seeds, random);
                Files.write(file, input);
                Future<?> parse = worker.submit(() -> {
                    target.parse(file, input);
                    return null;
                });
                Throwable thrown = null;
                try {
                    parse.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    thrown = e.getCause();
                } catch (TimeoutException e) {
                    parse.cancel(true);
                    fail(report(name, seed, i, input, "took longer than " + TIMEOUT_MS + " ms (a hang?)"));
                }
                if (thrown == null) {
                    accepted++;
                } else if (isDocumented(thrown, documented)) {
                    rejected++;
                } else {
                    fail(report(name, seed, i, input, thrown instanceof AssertionError
                            ? "was accepted but the result is inconsistent: " + thrown.getMessage()
                            : "threw " + thrown + ", not one of the documented exceptions "
                                    + List.of(documented)), thrown);
                }
            }
            System.out.printf("fuzz %s: seed %d, %d inputs (%d accepted, %d rejected)%n", name, seed, i - first,
                    accepted, rejected);
            return new Stats((int) (i - first), accepted, rejected);
        } finally {
            worker.shutdownNow();
        }
    }

    private static boolean isDocumented(Throwable thrown, Class<? extends Throwable>[] documented) {
        if (thrown.getMessage() == null || thrown.getMessage().isBlank()) {
            return false;
        }
        for (Class<? extends Throwable> type : documented) {
            if (type.isInstance(thrown)) {
                return true;
            }
        }
        return false;
    }

    private static String report(String name, long seed, long iteration, byte[] input, String problem) {
        String bytes = input.length <= 4096
                ? "\n  input (base64): " + Base64.getEncoder().encodeToString(input)
                + "\n  input (hex, first 256 bytes): "
                + HexFormat.of().formatHex(input, 0, Math.min(input.length, 256))
                : "\n  input: " + input.length + " bytes (rerun to see it)";
        return "fuzz " + name + ": input " + iteration + " " + problem
                + "\n  reproduce: -Dnabla.fuzz.seed=" + seed + " -Dnabla.fuzz.only=" + iteration + bytes;
    }
}
