package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs GEMM and the fused LSTM cell in a JVM started without {@code jdk.incubator.vector}, where the library must fall
 * back to plain Java.
 */
class FallbackTest {

  /** The child JVM's entry point: one product whose every element is 2k, one LSTM cell, then what it saw. */
  public static void main(String[] args) {
    int m = 70;
    int n = 50;
    int k = 40;
    float[] a = new float[m * k];
    float[] b = new float[n * k];
    float[] c = new float[m * n];
    java.util.Arrays.fill(a, 1f);
    java.util.Arrays.fill(b, 2f);
    java.util.Arrays.fill(c, Float.NaN);
    Gemm.sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, c, 0, n);
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float x : c) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    // gates 0 and cell 1: i = f = o = 1/2, g = 0, so c' = 1/2 exactly
    int hidden = 20;
    float[] cell = new float[hidden];
    java.util.Arrays.fill(cell, 1f);
    float[] hc = new float[2 * hidden];
    Cells.lstmForward(1, hidden, new float[4 * hidden], 0, 4 * hidden, new float[4 * hidden], 0, 4 * hidden, cell, 0,
        hidden, hc, null);
    System.out.println("simd=" + Gemm.simdEnabled() + " min=" + min + " max=" + max + " cell=" + hc[2 * hidden - 1]);
  }

  @Test
  void worksWithoutTheVectorModule() throws IOException, InterruptedException {
    assertEquals("simd=false min=80.0 max=80.0 cell=0.5", runChild(List.of()));
  }

  @Test
  void propertyForcesThePlainPath() throws IOException, InterruptedException {
    assertEquals("simd=false min=80.0 max=80.0 cell=0.5",
        runChild(List.of("--add-modules=jdk.incubator.vector", "-Dnabla.simd=false")));
  }

  private static String runChild(List<String> jvmArgs) throws IOException, InterruptedException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>();
    command.add(javaBin);
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        FallbackTest.class.getName()));
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    assertEquals(0, process.exitValue(), "child JVM exit status; output: " + out);
    return out.strip();
  }
}
