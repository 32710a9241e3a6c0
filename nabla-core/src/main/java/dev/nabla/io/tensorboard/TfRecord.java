package dev.nabla.io.tensorboard;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The TFRecord framing of one record: {@code uint64 length}, {@code uint32 masked_crc32c(length)}, the data,
 * {@code uint32 masked_crc32c(data)}, all little-endian. An event file is a sequence of such records.
 */
public final class TfRecord {
    private TfRecord() {}

    /** The framed bytes of one record. */
    public static byte[] frame(byte[] data) {
        ByteBuffer out = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(data.length);
        out.putInt(Crc32c.maskedCrc(out.array(), 0, 8));
        out.put(data);
        out.putInt(Crc32c.maskedCrc(data, 0, data.length));
        return out.array();
    }

    /** Writes one framed record. */
    public static void write(OutputStream out, byte[] data) throws IOException {
        out.write(frame(data));
    }
}
