package dev.nabla.io.tensorboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventWriterTest {
    @TempDir
    Path dir;

    @Test
    void crc32cOfTheStandardCheckString() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xE3069283, Crc32c.crc(check, 0, check.length));
        int masked = Crc32c.mask(0xE3069283);
        assertEquals(((0xE3069283 >>> 15) | (0xE3069283 << 17)) + 0xa282ead8, masked);
        assertEquals(0xE3069283, Crc32c.unmask(masked));
        assertEquals(masked, Crc32c.maskedCrc(check, 0, check.length));
    }

    @Test
    void framingOfAnEmptyRecord() {
        byte[] framed = TfRecord.frame(new byte[0]);
        assertEquals(16, framed.length);
        for (int i = 0; i < 8; i++) {
            assertEquals(0, framed[i]);
        }
        int lengthCrc = (framed[8] & 0xFF) | (framed[9] & 0xFF) << 8 | (framed[10] & 0xFF) << 16
                | (framed[11] & 0xFF) << 24;
        assertEquals(Crc32c.maskedCrc(new byte[8], 0, 8), lengthCrc);
        int dataCrc = (framed[12] & 0xFF) | (framed[13] & 0xFF) << 8 | (framed[14] & 0xFF) << 16
                | (framed[15] & 0xFF) << 24;
        assertEquals(Crc32c.mask(0), dataCrc);
    }

    @Test
    void histogramBuckets() {
        Histogram h = Histogram.of(new double[] {0, 1, 2, 3, Double.NaN, 4}, 4);
        assertEquals(0, h.min());
        assertEquals(4, h.max());
        assertEquals(5, h.num());
        assertEquals(10, h.sum());
        assertEquals(30, h.sumSquares());
        assertArrayEquals(new double[] {1, 2, 3, 4}, h.bucketLimits());
        assertArrayEquals(new double[] {1, 1, 1, 2}, h.buckets());
        Histogram same = Histogram.of(new double[] {2, 2, 2}, 30);
        assertArrayEquals(new double[] {2}, same.bucketLimits());
        assertArrayEquals(new double[] {3}, same.buckets());
    }

    @Test
    void fileNameAndSeparateFilesInOneSecond() throws IOException {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L, 250_000_000), ZoneOffset.UTC);
        try (EventWriter a = new EventWriter(dir, clock); EventWriter b = new EventWriter(dir, clock)) {
            assertTrue(a.file().getFileName().toString().startsWith("events.out.tfevents.1700000000."),
                    a.file().toString());
            assertTrue(!a.file().equals(b.file()));
        }
    }

    @Test
    void decodedByAnIndependentReader() throws Exception {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L, 250_000_000), ZoneOffset.UTC);
        Histogram histogram = Histogram.of(new double[] {-1, -0.5, 0, 0.25, 3}, 3);
        Path file;
        try (EventWriter w = new EventWriter(dir, clock)) {
            file = w.file();
            w.addScalar("epoch_loss", 0.3, 7);
            w.addScalar("batch_accuracy", 0.5, 1L << 40);
            w.addHistogram("weights/0.weight", histogram, 2);
            w.flush();
        }
        List<?> records = (List<?>) Json.parse(IndependentReader.read(file));
        assertEquals(4, records.size());

        Map<?, ?> first = (Map<?, ?>) records.get(0);
        assertEquals("brain.Event:2", first.get("file_version"));
        assertEquals(1_700_000_000.25, (Double) first.get("wall_time"));
        assertEquals(0L, first.get("step"));

        assertScalar(records.get(1), 7, "epoch_loss", 0.3f);
        assertScalar(records.get(2), 1L << 40, "batch_accuracy", 0.5f);

        Map<?, ?> third = (Map<?, ?>) records.get(3);
        assertEquals(2L, third.get("step"));
        Map<?, ?> value = (Map<?, ?>) ((List<?>) third.get("summary")).get(0);
        assertEquals("weights/0.weight", value.get("tag"));
        Map<?, ?> histo = (Map<?, ?>) value.get("histo");
        assertEquals(-1.0, histo.get("min"));
        assertEquals(3.0, histo.get("max"));
        assertEquals(5.0, histo.get("num"));
        assertEquals(1.75, histo.get("sum"));
        assertEquals(1 + 0.25 + 0.0625 + 9, (Double) histo.get("sum_squares"));
        List<Double> limits = new java.util.ArrayList<>();
        for (double limit : histogram.bucketLimits()) {
            limits.add(limit);
        }
        assertEquals(limits, histo.get("bucket_limit"));
        assertEquals(List.of(4.0, 0.0, 1.0), histo.get("bucket"));
        assertArrayEquals(new double[] {-1 + 4 / 3.0, -1 + 8 / 3.0, 3}, histogram.bucketLimits(), 1e-15);
    }

    private static void assertScalar(Object record, long step, String tag, float value) {
        Map<?, ?> r = (Map<?, ?>) record;
        assertEquals(step, ((Number) r.get("step")).longValue());
        List<?> values = (List<?>) r.get("summary");
        assertEquals(1, values.size());
        Map<?, ?> v = (Map<?, ?>) values.get(0);
        assertEquals(tag, v.get("tag"));
        assertEquals((double) value, ((Number) v.get("simple_value")).doubleValue());
    }
}
