package dev.nabla.io.tensorboard;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal protocol-buffers encoder (wire format only): enough to write TensorBoard's {@code Event} messages by
 * hand, without a dependency. Fields are appended in the order they are called.
 */
final class Protobuf {
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Protobuf doubleField(int field, double value) {
        key(field, FIXED64);
        fixed64(Double.doubleToRawLongBits(value));
        return this;
    }

    Protobuf floatField(int field, float value) {
        key(field, FIXED32);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) {
            out.write(bits >>> (8 * i));
        }
        return this;
    }

    Protobuf int64Field(int field, long value) {
        key(field, VARINT);
        varint(value);
        return this;
    }

    Protobuf stringField(int field, String value) {
        return bytesField(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Protobuf messageField(int field, Protobuf message) {
        return bytesField(field, message.toByteArray());
    }

    /** A {@code repeated double} field in packed form: one length-delimited run of fixed64 values. */
    Protobuf packedDoubles(int field, double[] values) {
        key(field, LENGTH_DELIMITED);
        varint(8L * values.length);
        for (double v : values) {
            fixed64(Double.doubleToRawLongBits(v));
        }
        return this;
    }

    Protobuf bytesField(int field, byte[] value) {
        key(field, LENGTH_DELIMITED);
        varint(value.length);
        out.write(value, 0, value.length);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void key(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    private void varint(long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private void fixed64(long bits) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (bits >>> (8 * i)));
        }
    }
}
