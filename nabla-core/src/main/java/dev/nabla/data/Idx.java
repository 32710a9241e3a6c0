package dev.nabla.data;

import dev.nabla.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes IDX files, the format MNIST and its relatives ship in, with nothing beyond the JDK.
 *
 * <p>An IDX file is a magic number {@code 00 00 type rank}, then {@code rank} big-endian 32-bit
 * dimensions, then the elements in row-major order. This class handles the unsigned-byte type
 * ({@code 0x08}) in ranks 1 to 4; MNIST images are {@code 0x00000803} ({@code [count, rows, cols]})
 * and labels {@code 0x00000801} ({@code [count]}). A file may be gzip-compressed, which is detected
 * by its first two bytes ({@code 1f 8b}), not by its name.
 *
 * <p>Reading checks the header against the data actually there before trusting it: a raw file's
 * length is compared with the declared size before anything is allocated, and a gzip stream is read
 * in bounded chunks, so a corrupt or hostile header ends in an {@link IdxFormatException} that names
 * the file and the field, never in an {@code OutOfMemoryError}. Missing bytes and trailing bytes are
 * both errors.
 */
public final class Idx {

    /** The IDX type code of unsigned bytes, the only element type supported. */
    public static final int UNSIGNED_BYTE = 0x08;
    /** Highest rank accepted. */
    public static final int MAX_RANK = 4;
    /** Most elements accepted: the largest array a JVM reliably allocates. */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private static final int CHUNK = 1 << 20;
    private static final int MAX_TRAILING_COUNTED = 1 << 20;

    private Idx() {
    }

    /**
     * Reads an unsigned-byte IDX file, raw or gzip-compressed.
     *
     * @throws IdxFormatException if the file is not a well-formed IDX file of unsigned bytes
     * @throws IOException        if the file cannot be read
     */
    public static IdxArray read(Path file) throws IOException {
        String where = file.toString();
        long size = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                return readGzip(in, where);
            }
            return parse(in, where, size);
        }
    }

    /**
     * Reads an IDX file and checks that it has the expected rank, for example 3 for images.
     *
     * @throws IdxFormatException if the file is malformed or has another rank
     */
    public static IdxArray read(Path file, int expectedRank) throws IOException {
        IdxArray array = read(file);
        if (array.rank() != expectedRank) {
            throw new IdxFormatException(file + ": rank is " + array.rank() + " (shape "
                    + formatShape(array.shape()) + ") but " + expectedRank + " was expected (magic 0x"
                    + String.format("%08X", UNSIGNED_BYTE << 8 | expectedRank) + ")");
        }
        return array;
    }

    /**
     * Writes an unsigned-byte IDX file atomically, gzip-compressed when the name ends in {@code .gz}.
     * Readers never see a partial file: it is written to a temporary file beside the target, forced
     * to disk, then moved into place.
     *
     * @param shape the dimensions, 1 to 4 of them, each positive, whose product is {@code data.length}
     * @throws IllegalArgumentException if shape and data disagree
     */
    public static void write(Path file, int[] shape, byte[] data) throws IOException {
        IdxArray array;
        try {
            array = new IdxArray(shape, data);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        write(file, array);
    }

    /** Writes {@code array} as an IDX file atomically; see {@link #write(Path, int[], byte[])}. */
    public static void write(Path file, IdxArray array) throws IOException {
        boolean gzip = file.getFileName().toString().endsWith(".gz");
        AtomicFiles.write(file, out -> {
            OutputStream target = gzip ? new GZIPOutputStream(out, 1 << 16) : out;
            DataOutputStream data = new DataOutputStream(target);
            data.writeInt(UNSIGNED_BYTE << 8 | array.rank());
            for (int d : array.shape()) {
                data.writeInt(d);
            }
            data.write(array.data());
            data.flush();
            if (target instanceof GZIPOutputStream gz) {
                gz.finish();
            }
        });
    }

    private static IdxArray readGzip(InputStream in, String where) throws IOException {
        try {
            return parse(new GZIPInputStream(in, 1 << 16), where, -1);
        } catch (IdxFormatException e) {
            throw e;
        } catch (EOFException e) {
            throw new IdxFormatException(where + ": gzip stream ends early (truncated file?): "
                    + e.getMessage(), e);
        } catch (ZipException e) {
            throw new IdxFormatException(where + ": corrupt gzip data: " + e.getMessage(), e);
        }
    }

    /**
     * Parses header and data from {@code in}; {@code rawSize} is the file length for a raw file, or
     * -1 for a decompressed stream whose length is unknown until it ends.
     */
    private static IdxArray parse(InputStream in, String where, long rawSize) throws IOException {
        byte[] magicBytes = in.readNBytes(4);
        if (magicBytes.length < 4) {
            throw new IdxFormatException(where + ": " + (rawSize >= 0 ? "the file" : "the decompressed data")
                    + " holds " + magicBytes.length + " bytes, too short for the 4-byte magic number");
        }
        int magic = bigEndianInt(magicBytes, 0);
        String magicText = String.format("0x%08X", magic);
        if ((magic & 0xFFFF0000) != 0) {
            throw new IdxFormatException(where + ": magic number " + magicText
                    + " is not an IDX magic (expected two zero bytes, a type byte and a rank byte,"
                    + " e.g. 0x00000803 for images or 0x00000801 for labels)");
        }
        int type = (magic >>> 8) & 0xFF;
        if (type != UNSIGNED_BYTE) {
            throw new IdxFormatException(where + ": data type " + String.format("0x%02X", type) + " ("
                    + typeName(type) + ") in magic number " + magicText
                    + " is not supported; only 0x08 (unsigned byte) is");
        }
        int rank = magic & 0xFF;
        if (rank < 1 || rank > MAX_RANK) {
            throw new IdxFormatException(where + ": rank " + rank + " in magic number " + magicText
                    + " is outside 1.." + MAX_RANK);
        }
        int headerBytes = 4 + 4 * rank;
        byte[] dimBytes = in.readNBytes(4 * rank);
        if (dimBytes.length < 4 * rank) {
            throw new IdxFormatException(where + ": magic number " + magicText + " declares rank " + rank
                    + " (a " + headerBytes + "-byte header) but the data ends after "
                    + (4 + dimBytes.length) + " bytes");
        }
        int[] shape = new int[rank];
        long declared = 1;
        for (int i = 0; i < rank; i++) {
            shape[i] = bigEndianInt(dimBytes, 4 * i);
            if (shape[i] <= 0) {
                throw new IdxFormatException(where + ": dimension " + i + " of " + rank + " is "
                        + shape[i] + "; dimensions must be positive");
            }
        }
        for (int d : shape) {
            declared *= d; // at most 4 factors below 2^31 each: checked after each step, cannot overflow
            if (declared > MAX_ELEMENTS) {
                throw new IdxFormatException(where + ": header declares " + formatShape(shape) + " = "
                        + product(shape) + " bytes, more than the " + MAX_ELEMENTS
                        + " a Java array can hold");
            }
        }
        String declaration = where + ": header declares " + formatShape(shape) + " = " + declared + " bytes";
        if (rawSize >= 0) {
            long available = rawSize - headerBytes;
            if (available != declared) {
                throw new IdxFormatException(declaration + " but the file holds " + available
                        + " after the " + headerBytes + "-byte header"
                        + (available > declared ? " (" + (available - declared) + " trailing bytes)" : ""));
            }
            byte[] data = in.readNBytes((int) declared);
            if (data.length != declared) {
                throw new IdxFormatException(declaration + " but only " + data.length
                        + " could be read (the file changed while being read?)");
            }
            return new IdxArray(shape, data);
        }
        byte[] data = readBounded(in, (int) declared, declaration);
        if (in.read() != -1) {
            long trailing = 1 + in.skip(MAX_TRAILING_COUNTED);
            throw new IdxFormatException(declaration + " but the decompressed data holds "
                    + (trailing > MAX_TRAILING_COUNTED ? "more than " + MAX_TRAILING_COUNTED : trailing)
                    + " trailing bytes after them");
        }
        return new IdxArray(shape, data);
    }

    /** Reads exactly {@code n} bytes, growing the buffer only as data arrives. */
    private static byte[] readBounded(InputStream in, int n, String declaration) throws IOException {
        byte[] buffer = new byte[Math.min(n, CHUNK)];
        int filled = 0;
        while (filled < n) {
            if (filled == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(n, 2L * buffer.length));
            }
            int read = in.read(buffer, filled, buffer.length - filled);
            if (read < 0) {
                throw new IdxFormatException(declaration + " but the decompressed data ends after "
                        + filled);
            }
            filled += read;
        }
        return buffer;
    }

    private static int bigEndianInt(byte[] b, int offset) {
        return (b[offset] & 0xFF) << 24 | (b[offset + 1] & 0xFF) << 16
                | (b[offset + 2] & 0xFF) << 8 | (b[offset + 3] & 0xFF);
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x08 -> "unsigned byte";
            case 0x09 -> "signed byte";
            case 0x0B -> "16-bit integer";
            case 0x0C -> "32-bit integer";
            case 0x0D -> "32-bit float";
            case 0x0E -> "64-bit float";
            default -> "not an IDX type";
        };
    }

    private static String product(int[] shape) {
        BigInteger p = BigInteger.ONE;
        for (int d : shape) {
            p = p.multiply(BigInteger.valueOf(d));
        }
        return p.toString();
    }

    /** Formats a shape as {@code 10000×28×28}, the form error messages use. */
    static String formatShape(int[] shape) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : "×").append(shape[i]);
        }
        return s.toString();
    }
}
