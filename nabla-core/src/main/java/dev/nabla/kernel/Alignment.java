package dev.nabla.kernel;

import java.lang.reflect.Field;

/**
 * Where a float array's elements start on a 64-byte boundary (a cache line, and one AVX-512 vector), so that a
 * kernel can lay its scratch data out from there. A vector store that straddles two cache lines costs about twice
 * one that does not: the Winograd input transform, which writes 16 matrices at once, ran 1.7 times faster with its
 * stores aligned (BENCHMARKS, session 7). Java does not align arrays to more than 8 bytes, nor say where they are,
 * so this reads an array's address through {@code sun.misc.Unsafe} (module jdk.unsupported) on JDK 17 to 22; on
 * other JVMs, later JDKs or any failure it answers 0, which is correct, only not aligned. The answer holds until the
 * collector moves the array: ask again at every call, it costs a few nanoseconds.
 */
final class Alignment {
  /** Floats of slack an array needs so that its data still fit after {@link #offset}: 60 bytes at most. */
  static final int SLACK = 16;

  private static final sun.misc.Unsafe UNSAFE = unsafe();
  /** Bits a compressed reference is shifted by to give the address: 0 (32-bit mode) or 3 (zero-based); −1 unknown. */
  private static final int SHIFT = UNSAFE == null ? -1 : shift();
  private static final long OBJECTS = UNSAFE == null ? 0 : UNSAFE.arrayBaseOffset(Object[].class);
  private static final int FLOATS = UNSAFE == null ? 0 : UNSAFE.arrayBaseOffset(float[].class);
  /** For tests: a fixed answer instead of the address's, or −1. */
  private static volatile int forced = -1;

  private Alignment() {}

  /** The first index of {@code a} whose element starts on a 64-byte boundary (0 to 15), or 0 when unknown. */
  static int offset(float[] a) {
    int f = forced;
    if (f >= 0) {
      return f;
    }
    if (SHIFT < 0) {
      return 0;
    }
    Object[] holder = {a};
    long address = UNSAFE.arrayIndexScale(Object[].class) == 8 ? UNSAFE.getLong(holder, OBJECTS)
        : (UNSAFE.getInt(holder, OBJECTS) & 0xFFFFFFFFL) << SHIFT;
    long first = (address + FLOATS) & 63; // the heap's base, if any, is far more aligned than 64 bytes
    return first % 4 != 0 ? 0 : (int) ((64 - first) & 63) / 4;
  }

  /** Makes {@link #offset} answer {@code floats} (an even number below {@link #SLACK}), or the truth with −1. */
  static void force(int floats) {
    forced = floats;
  }

  private static sun.misc.Unsafe unsafe() {
    int feature = Runtime.version().feature();
    if (feature > 22 || !"64".equals(System.getProperty("sun.arch.data.model"))) {
      return null; // JDK 23 on warns about these methods (JEP 471)
    }
    try {
      Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (sun.misc.Unsafe) f.get(null);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  /**
   * The compressed references' shift: with 8-byte objects, a 32-bit mode reference is the address itself, always a
   * multiple of 8; a zero-based one is the address / 8, so among many objects some are odd. Unknown (−1) when
   * references are not compressed but 8 bytes (then {@link #offset} reads the address itself) is not needed.
   */
  private static int shift() {
    try {
      if (UNSAFE.arrayIndexScale(Object[].class) == 8) {
        return 0;
      }
      Object[] objects = new Object[64];
      for (int i = 0; i < objects.length; i++) {
        objects[i] = new Object();
      }
      long base = UNSAFE.arrayBaseOffset(Object[].class);
      for (int i = 0; i < objects.length; i++) {
        if ((UNSAFE.getInt(objects, base + 4L * i) & 7) != 0) {
          return 3;
        }
      }
      return 0;
    } catch (RuntimeException | LinkageError e) {
      return -1;
    }
  }
}
