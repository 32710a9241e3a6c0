package dev.nabla.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@link Model#fit} returns: each epoch's logs (loss, metrics, validation metrics, seconds). */
public final class History {
    private final List<Map<String, Double>> epochs = new ArrayList<>();

    /** Appends one epoch's logs. */
    public void add(Map<String, Double> logs) {
        epochs.add(Collections.unmodifiableMap(new LinkedHashMap<>(logs)));
    }

    /** The logs of every epoch, in order. */
    public List<Map<String, Double>> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /** One metric across epochs, as Keras's {@code history.history["loss"]}. */
    public List<Double> get(String metric) {
        List<Double> out = new ArrayList<>();
        for (Map<String, Double> e : epochs) {
            Double v = e.get(metric);
            if (v == null) {
                throw new IllegalArgumentException("History: no metric '" + metric + "'; recorded: " + e.keySet());
            }
            out.add(v);
        }
        return out;
    }

    /** The last epoch's logs (empty before any epoch). */
    public Map<String, Double> last() {
        return epochs.isEmpty() ? Map.of() : epochs.get(epochs.size() - 1);
    }
}
