package dev.nabla.io.tensorboard;

import dev.nabla.tensor.Tensor;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/**
 * Writes a TensorBoard event file: {@code events.out.tfevents.<seconds>.<hostname>} in a log directory, a sequence
 * of TFRecord-framed {@code Event} messages. The first record carries {@code file_version = "brain.Event:2"};
 * each later one carries one scalar or histogram summary at a step.
 *
 * <pre>{@code
 * try (EventWriter w = new EventWriter(Path.of("runs/exp1/train"))) {
 *     w.addScalar("epoch_loss", 0.42, 3);
 * }
 * }</pre>
 *
 * <p>Records are buffered: call {@link #flush} to make them visible to a running TensorBoard.
 *
 * <p>Messages written (field numbers of TensorFlow's {@code event.proto} and {@code summary.proto}):
 * {@code Event {double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5}},
 * {@code Summary {repeated Value value = 1}}, {@code Value {string tag = 1; float simple_value = 2;
 * HistogramProto histo = 5}}.
 */
public final class EventWriter implements Closeable {
    /** The version string of the first record. */
    public static final String FILE_VERSION = "brain.Event:2";

    private final Clock clock;
    private final Path file;
    private final OutputStream out;
    private boolean closed;

    /** Creates the directory if needed and starts a new event file in it. */
    public EventWriter(Path logDir) throws IOException {
        this(logDir, Clock.systemUTC());
    }

    /** As {@link #EventWriter(Path)}, with wall times (and the file name's seconds) from {@code clock}. */
    public EventWriter(Path logDir, Clock clock) throws IOException {
        this.clock = clock;
        Files.createDirectories(logDir);
        String base = "events.out.tfevents." + clock.instant().getEpochSecond() + "." + hostname();
        Path candidate = logDir.resolve(base);
        OutputStream stream = null;
        for (int i = 1; stream == null; i++) {
            try {
                stream = Files.newOutputStream(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                // two writers in one directory within one second: keep both files
                candidate = logDir.resolve(base + "." + i);
            }
        }
        this.file = candidate;
        this.out = new BufferedOutputStream(stream, 1 << 16);
        write(event(0).stringField(3, FILE_VERSION));
    }

    /** The file being written. */
    public Path file() {
        return file;
    }

    /** Records a scalar (stored as float32, as TensorBoard's {@code simple_value}). */
    public synchronized void addScalar(String tag, double value, long step) throws IOException {
        Protobuf v = new Protobuf().stringField(1, tag).floatField(2, (float) value);
        write(event(step).messageField(5, new Protobuf().messageField(1, v)));
    }

    /** Records a histogram. */
    public synchronized void addHistogram(String tag, Histogram histogram, long step) throws IOException {
        Protobuf v = new Protobuf().stringField(1, tag).messageField(5, histogram.encode());
        write(event(step).messageField(5, new Protobuf().messageField(1, v)));
    }

    /** Records the histogram of a tensor's values ({@link Histogram#of(Tensor)}). */
    public void addHistogram(String tag, Tensor values, long step) throws IOException {
        addHistogram(tag, Histogram.of(values), step);
    }

    /** Pushes buffered records to the file. */
    public synchronized void flush() throws IOException {
        if (!closed) {
            out.flush();
        }
    }

    /** Flushes and closes the file; later calls do nothing. */
    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }

    private Protobuf event(long step) {
        java.time.Instant now = clock.instant();
        return new Protobuf().doubleField(1, now.getEpochSecond() + now.getNano() / 1e9).int64Field(2, step);
    }

    private void write(Protobuf event) throws IOException {
        if (closed) {
            throw new IOException("EventWriter: " + file + " is closed");
        }
        TfRecord.write(out, event.toByteArray());
    }

    /** This machine's name, reduced to characters safe in a file name. */
    private static String hostname() {
        String name = System.getenv("HOSTNAME");
        if (name == null || name.isBlank()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                name = "localhost";
            }
        }
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.isEmpty() ? "localhost" : safe;
    }
}
