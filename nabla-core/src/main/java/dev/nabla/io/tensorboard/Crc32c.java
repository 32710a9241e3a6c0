package dev.nabla.io.tensorboard;

import java.util.zip.CRC32C;

/**
 * The checksums of the TFRecord format: CRC-32C (Castagnoli), stored "masked" so that a CRC computed over data
 * that itself contains CRCs stays well distributed: {@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8}.
 */
public final class Crc32c {
    private static final int MASK_DELTA = 0xa282ead8;

    private Crc32c() {}

    /** The plain CRC-32C of {@code length} bytes from {@code offset}. */
    public static int crc(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        return (int) crc.getValue();
    }

    /** The masked form of a CRC, as TFRecord stores it. */
    public static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }

    /** Undoes {@link #mask}. */
    public static int unmask(int masked) {
        int rotated = masked - MASK_DELTA;
        return (rotated >>> 17) | (rotated << 15);
    }

    /** The masked CRC-32C of {@code length} bytes from {@code offset}. */
    public static int maskedCrc(byte[] data, int offset, int length) {
        return mask(crc(data, offset, length));
    }
}
