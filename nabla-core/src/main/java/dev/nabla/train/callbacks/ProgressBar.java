package dev.nabla.train.callbacks;

import dev.nabla.train.Callback;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Keras's progress output: {@code Epoch 3/10}, then
 * {@code 1875/1875 [==============================] - 2s 1ms/step - loss: 0.3012 - accuracy: 0.8901}.
 *
 * <p>On a terminal the bar is redrawn in place with an ETA (at most ten times a second); when output is not a
 * terminal (a log file, CI) only the finished line of each epoch is printed.
 */
public final class ProgressBar implements Callback {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean interactive;
    private int steps;
    private long epochStart;
    private long lastDraw;

    /** Prints to standard output, in place when it is a terminal. */
    public ProgressBar() {
        this(System.out, System.console() != null);
    }

    /** Prints to {@code out}; {@code interactive} redraws the bar in place. */
    public ProgressBar(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public void onEpochBegin(int epoch, int epochs, int stepCount) {
        this.steps = stepCount;
        this.epochStart = System.nanoTime();
        this.lastDraw = 0;
        out.println("Epoch " + (epoch + 1) + "/" + epochs);
    }

    @Override
    public void onBatchEnd(int step, Map<String, Double> logs) {
        if (!interactive) {
            return;
        }
        long now = System.nanoTime();
        if (step + 1 < steps && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        double elapsed = (now - epochStart) / 1e9;
        double eta = elapsed / (step + 1) * (steps - step - 1);
        String line = bar(step + 1) + " - ETA: " + seconds(eta) + metrics(logs, false);
        out.print("\r" + line + "\u001b[K");
        out.flush();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        double elapsed = (System.nanoTime() - epochStart) / 1e9;
        String line = bar(steps) + " - " + seconds(elapsed) + " " + perStep(elapsed / Math.max(steps, 1))
                + metrics(logs, true);
        out.print(interactive ? "\r" + line + "\u001b[K\n" : line + "\n");
        out.flush();
    }

    private String bar(int done) {
        int filled = steps == 0 ? WIDTH : (int) ((long) WIDTH * done / steps);
        StringBuilder sb = new StringBuilder();
        String count = Integer.toString(steps);
        sb.append(String.format(Locale.ROOT, "%" + count.length() + "d/%s [", done, count));
        for (int i = 0; i < WIDTH; i++) {
            sb.append(i < filled - 1 || (i == filled - 1 && done == steps) ? '=' : i == filled - 1 ? '>' : '.');
        }
        return sb.append(']').toString();
    }

    /** Keras prints whole seconds: "2s". */
    static String seconds(double s) {
        return Math.round(s) + "s";
    }

    /** Keras's per-step time: "1ms/step", "523us/step", "2s/step". */
    static String perStep(double s) {
        if (s >= 1) {
            return Math.round(s) + "s/step";
        }
        if (s >= 1e-3) {
            return Math.round(s * 1e3) + "ms/step";
        }
        return Math.round(s * 1e6) + "us/step";
    }

    private static String metrics(Map<String, Double> logs, boolean end) {
        StringBuilder sb = new StringBuilder();
        logs.forEach((k, v) -> {
            if (!k.equals("seconds") && !k.equals("lr")) {
                sb.append(" - ").append(k).append(": ").append(String.format(Locale.ROOT, "%.4f", v));
            }
        });
        return sb.toString();
    }
}
