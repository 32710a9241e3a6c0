package dev.nabla.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutations of safetensors files (plain tensors, model files, checkpoints): the JSON header mutated structurally
 * and written back behind a correct length, so the input passes the framing and reaches the field checks (and, for
 * model files and checkpoints, the JSON nested in the metadata); or the bytes mutated with the length field, the
 * start of the header and the start of the data as hot spots.
 */
final class SafetensorsMutations {
    private SafetensorsMutations() {}

    static byte[] mutate(List<byte[]> seeds, SplittableRandom random) {
        if (random.nextInt(3) == 0) {
            return Mutations.mutate(seeds, random, 0, 4, 7, 8, 9);
        }
        byte[] seed = seeds.get(random.nextInt(seeds.size()));
        int n = (int) ByteBuffer.wrap(seed).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(seed, 8, n, StandardCharsets.UTF_8).strip();
        byte[] data = Arrays.copyOfRange(seed, 8 + n, seed.length);
        header = JsonMutations.mutate(header, random);
        if (random.nextInt(4) == 0 && data.length > 0) {
            data = random.nextBoolean() ? Arrays.copyOf(data, random.nextInt(data.length))
                    : Mutations.extend(data, random);
        }
        byte[] out = file(header, data, random.nextBoolean());
        return random.nextInt(8) == 0 ? Mutations.mutateOnce(out, seeds, random) : out;
    }

    /** A safetensors file of a header and data, the header padded with spaces to 8 bytes when asked. */
    static byte[] file(String header, byte[] data, boolean pad) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        int length = pad ? (json.length + 7) / 8 * 8 : json.length;
        ByteBuffer out = ByteBuffer.allocate(8 + length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(length).put(json);
        for (int i = json.length; i < length; i++) {
            out.put((byte) ' ');
        }
        return out.put(data).array();
    }
}
