package dev.nabla.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Byte-level mutations of a file: bit flips, bytes and 4- or 8-byte integers overwritten with values that break
 * parsers (0, 0xFF, 0x7F, 0x80, 2^31-1, 2^63-1, ... in both byte orders), truncation, extension, deletion and
 * duplication of ranges, and splicing with another seed.
 */
final class Mutations {
    private static final byte[] INTERESTING_BYTES = {0, (byte) 0xFF, 0x7F, (byte) 0x80, 1, 0x08, 0x1F, (byte) 0x8B,
            '{', '}', '[', ']', '"', ',', ':', '-', '0', '9', ' '};
    private static final long[] INTERESTING_LONGS = {0, 1, -1, 2, 3, 4, 5, 7, 8, 16, 255, 256, 0x7F, 0x80, 0xFFFF,
            0x10000, Integer.MAX_VALUE, Integer.MAX_VALUE - 8, 0x80000000L, 0xFFFFFFFFL, 100_000_000, 100_000_001,
            Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 7, 1L << 53};

    private Mutations() {}

    /**
     * Applies one to four mutations to a copy of a random seed; {@code hot} lists offsets (header fields) that
     * integer overwrites favour.
     */
    static byte[] mutate(List<byte[]> seeds, SplittableRandom random, int... hot) {
        byte[] data = seeds.get(random.nextInt(seeds.size())).clone();
        int count = 1 + random.nextInt(4);
        for (int k = 0; k < count; k++) {
            data = mutateOnce(data, seeds, random, hot);
        }
        return data;
    }

    static byte[] mutateOnce(byte[] data, List<byte[]> seeds, SplittableRandom random, int... hot) {
        int n = data.length;
        switch (random.nextInt(n == 0 ? 2 : 10)) {
            case 0: // extend with random bytes, zeros or a copy of the start
                return extend(data, random);
            case 1: // splice with another seed
                byte[] other = seeds.get(random.nextInt(seeds.size()));
                int cut = random.nextInt(n + 1);
                int from = random.nextInt(other.length + 1);
                byte[] spliced = Arrays.copyOf(data, cut + other.length - from);
                System.arraycopy(other, from, spliced, cut, other.length - from);
                return spliced;
            case 2: // flip a bit
                data[random.nextInt(n)] ^= (byte) (1 << random.nextInt(8));
                return data;
            case 3: // overwrite a byte with an interesting or random value
                data[position(n, random, hot)] = random.nextBoolean()
                        ? INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)] : (byte) random.nextInt(256);
                return data;
            case 4:
            case 5: // overwrite a 4- or 8-byte integer at a header position, either byte order
                return overwriteInteger(data, random, hot);
            case 6: // truncate
                return Arrays.copyOf(data, random.nextInt(n));
            case 7: { // delete a range
                int a = random.nextInt(n);
                int len = 1 + random.nextInt(Math.min(n - a, 64));
                byte[] out = new byte[n - len];
                System.arraycopy(data, 0, out, 0, a);
                System.arraycopy(data, a + len, out, a, n - a - len);
                return out;
            }
            default: { // duplicate a range at another position
                int a = random.nextInt(n);
                int len = 1 + random.nextInt(Math.min(n - a, 256));
                int at = random.nextInt(n + 1);
                ByteArrayOutputStream out = new ByteArrayOutputStream(n + len);
                out.write(data, 0, at);
                out.write(data, a, len);
                out.write(data, at, n - at);
                return out.toByteArray();
            }
        }
    }

    static byte[] extend(byte[] data, SplittableRandom random) {
        int len = 1 + random.nextInt(random.nextInt(8) == 0 ? 4096 : 16);
        byte[] out = Arrays.copyOf(data, data.length + len);
        int kind = random.nextInt(3);
        for (int i = data.length; i < out.length; i++) {
            out[i] = kind == 0 ? 0 : kind == 1 || data.length == 0 ? (byte) random.nextInt(256)
                    : data[(i - data.length) % data.length];
        }
        return out;
    }

    static byte[] overwriteInteger(byte[] data, SplittableRandom random, int... hot) {
        int width = random.nextBoolean() ? 4 : 8;
        if (data.length < width) {
            return extend(data, random);
        }
        long value = random.nextInt(4) == 0 ? random.nextLong()
                : INTERESTING_LONGS[random.nextInt(INTERESTING_LONGS.length)] + random.nextInt(3) - 1;
        int at = Math.min(position(data.length, random, hot), data.length - width);
        ByteBuffer buffer = ByteBuffer.wrap(data, at, width)
                .order(random.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        if (width == 4) {
            buffer.putInt((int) value);
        } else {
            buffer.putLong(value);
        }
        return data;
    }

    /** A hot offset three times in four when there are any, else anywhere. */
    private static int position(int n, SplittableRandom random, int... hot) {
        if (hot.length > 0 && random.nextInt(4) != 0) {
            return Math.min(hot[random.nextInt(hot.length)], n - 1);
        }
        return random.nextInt(n);
    }
}
