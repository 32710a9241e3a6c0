import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Times two versions of the same code in one JVM, each loaded by its own class loader, their calls alternating:
 * on a shared machine whose speed moves by 2× from one minute to the next, this resolves the 10% differences that
 * separate JVM runs minutes apart cannot.
 *
 * <pre>
 *   # a probe: any class with a static double[] rep() that times one round of the code and returns the times (ms)
 *   javac --add-modules=jdk.incubator.vector -cp old/classes -d probeA Probe.java
 *   javac --add-modules=jdk.incubator.vector -cp new/classes -d probeB Probe.java
 *   java --add-modules=jdk.incubator.vector tools/SideBySide.java old/classes:probeA new/classes:probeB Probe 30
 * </pre>
 *
 * A probe in a package of Nabla's (dev.nabla.kernel, say) reaches its package-private methods. The first half of
 * the rounds are warm-up; for each figure the probe returns, this prints the medians of A and B over the second
 * half and the median (and range) of the per-round ratios B/A. Each version has its own statics, so its own thread
 * pool: while one runs, the other's idle worker may still be polling for a moment.
 */
public class SideBySide {
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: SideBySide <classpath A> <classpath B> <probe class> <rounds>");
            System.exit(2);
        }
        Class<?>[] probe = {load(args[0], args[2]), load(args[1], args[2])};
        int rounds = Integer.parseInt(args[3]);
        List<List<double[]>> times = List.of(new ArrayList<>(), new ArrayList<>());
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < 2; i++) {
                int side = r % 2 == 0 ? i : 1 - i; // the order flips every round
                times.get(side).add((double[]) probe[side].getMethod("rep").invoke(null));
            }
        }
        int from = rounds / 2;
        int kept = rounds - from;
        for (int m = 0; m < times.get(0).get(0).length; m++) {
            double[] a = new double[kept];
            double[] b = new double[kept];
            double[] ratio = new double[kept];
            for (int r = from; r < rounds; r++) {
                a[r - from] = times.get(0).get(r)[m];
                b[r - from] = times.get(1).get(r)[m];
                ratio[r - from] = b[r - from] / a[r - from];
            }
            Arrays.sort(a);
            Arrays.sort(b);
            Arrays.sort(ratio);
            System.out.printf("figure %d: A median %.3f, B median %.3f, B/A median %.3f (%.3f-%.3f over %d rounds)%n",
                    m, a[kept / 2], b[kept / 2], ratio[kept / 2], ratio[0], ratio[kept - 1], kept);
        }
    }

    private static Class<?> load(String classpath, String name) throws Exception {
        String[] parts = classpath.split(":");
        URL[] urls = new URL[parts.length];
        for (int i = 0; i < parts.length; i++) {
            urls[i] = Paths.get(parts[i]).toUri().toURL();
        }
        return new URLClassLoader(urls, ClassLoader.getPlatformClassLoader()).loadClass(name);
    }
}
