package dev.nabla.bench;

import dev.nabla.autograd.GradMode;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Datasets;
import dev.nabla.data.LabeledImages;
import dev.nabla.data.Split;
import dev.nabla.kernel.Gemm;
import dev.nabla.kernel.Parallel;
import dev.nabla.nn.Activation;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Embedding;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.LSTM;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Module;
import dev.nabla.nn.Recurrent;
import dev.nabla.nn.loss.Loss;
import dev.nabla.nn.loss.Losses;
import dev.nabla.optim.Adam;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The workloads of the side-by-side speed benchmark (issue 4), one per run, each printing one JSON
 * line on stdout; {@code bench/torch_workloads.py} runs the same ones in PyTorch and
 * {@code bench/compare.sh} alternates the two.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp nabla-bench/target/benchmarks.jar \
 *     dev.nabla.bench.Workloads train32|train256|cnn|lstm|infer|gemm [--threads N] [--epochs E]
 *     [--warmup-steps W] [--seed S] [--passes P] [--warmup-passes W] [--singles S] [--gemm-runs R] [--max-batches K]
 *     [--steps S] [--prefetch P]
 * </pre>
 *
 * <ul>
 *   <li>{@code train32}, {@code train256}: the seed network (784-256-128-10, ReLU, softmax
 *       cross-entropy, Adam 1e-3) on Fashion-MNIST's 60,000 training images held in memory,
 *       shuffled each epoch; a throw-away model first trains {@code W} steps to warm the JIT up,
 *       then a fresh model trains {@code E} timed epochs (of at most {@code K} batches, for smoke
 *       tests). Each epoch's time covers batch assembly and {@link Model#trainStep}; with
 *       {@code --prefetch P} (default 0) the loader assembles up to {@code P} batches ahead on a
 *       background thread, as {@link Model#fit} does by default (P = 2).
 *   <li>{@code cnn}: the CNN of issue 5 (Conv 32 3×3 same, ReLU, max-pool 2, Conv 64 3×3 same,
 *       ReLU, max-pool 2, Dense 128 ReLU, Dropout 0.5, Dense 10) on the same images as
 *       {@code [n, 1, 28, 28]}, batch 64, Adam 1e-3, timed the same way.
 *   <li>{@code lstm}: a character language model (issue 7): Embedding(100, 64) → LSTM(64, 256) →
 *       Linear(256, 100), softmax cross-entropy, Adam 1e-3, batch 32 streams of 64-token chunks
 *       with the state carried and detached between chunks (truncated backpropagation through
 *       time), on a synthetic token stream that {@link #tokenStream} and the Python side compute
 *       alike; {@code W} warm-up steps on a throw-away model, then {@code S} timed steps
 *       (tokens/s = S·32·64 / their time).
 *   <li>{@code infer}: the 10,000 test images in batches of 1,000 (images/s, median of {@code P}
 *       passes, 20 unless {@code --passes}), and the median latency of one image. {@code --warmup-passes}
 *       (100) untimed passes come first, about 3 s, as the training workloads' warm-up steps, so that
 *       the JIT has compiled the code (after 3, C2 was still compiling during the timed passes).
 *   <li>{@code gemm}: {@link Gemm#sgemm} on 512³, 1024³ and the MLP's shapes in the NN, TN and NT
 *       layouts (median of several timed runs after a warm-up, each paired with an FMA-peak sample
 *       on the same threads taken just before it), and {@link FmaPeak} on 1 and 2
 *       threads.
 * </ul>
 */
public final class Workloads {

  /** Input features, hidden sizes and classes of the seed network. */
  private static final int[] LAYERS = {784, 256, 128, 10};

  /** GEMM shapes as {m, k, n}: C[m×n] = op(A)[m×k]·op(B)[k×n]. */
  private static final int[][] GEMM_SHAPES = {
      {512, 512, 512}, {1024, 1024, 1024}, {32, 784, 256}, {32, 256, 128}, {256, 784, 256},
      {784, 32, 256}};

  private static final String[] LAYOUTS = {"NN", "TN", "NT"};

  private Workloads() {}

  public static void main(String[] args) throws Exception {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Parallel.setThreads(o.threads);
    if (!Gemm.simdEnabled()) {
      System.err.println("Workloads: WARNING: the Vector API path is off;"
          + " run the JVM with --add-modules=jdk.incubator.vector");
    }
    Json out = new Json()
        .put("impl", "nabla")
        .put("workload", o.workload)
        .put("threads", o.threads)
        .put("prefetch", o.prefetch)
        .put("simd", Gemm.simdEnabled())
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    switch (o.workload) {
      case "train32" -> train(o, 32, false, out);
      case "train256" -> train(o, 256, false, out);
      case "cnn" -> train(o, 64, true, out);
      case "lstm" -> lstm(o, out);
      case "infer" -> infer(o, out);
      case "gemm" -> gemm(o, out);
      default -> {
        System.err.println("Workloads: unknown workload '" + o.workload
            + "', expected train32, train256, cnn, lstm, infer or gemm");
        System.exit(2);
      }
    }
    System.out.println(out);
  }

  /** GEMM FLOPs of one training pass over {@code n} samples; the first layer's input gradient is not needed. */
  static double trainingFlops(long n) {
    double forward = 0;
    double inputGrads = 0;
    for (int l = 0; l + 1 < LAYERS.length; l++) {
      double macs = (double) LAYERS[l] * LAYERS[l + 1];
      forward += 2 * macs;
      if (l > 0) {
        inputGrads += 2 * macs;
      }
    }
    return n * (2 * forward + inputGrads);
  }

  /**
   * GEMM FLOPs of one training pass of the CNN over {@code n} samples: each layer's forward and
   * weight gradient, and the input gradient of every layer but the first.
   */
  static double cnnTrainingFlops(long n) {
    double conv1 = 28.0 * 28 * 32 * 9;
    double conv2 = 14.0 * 14 * 64 * 32 * 9;
    double dense1 = 3136.0 * 128;
    double dense2 = 128.0 * 10;
    double macs = 2 * conv1 + 3 * (conv2 + dense1 + dense2);
    return 2 * n * macs;
  }

  private static void train(Options o, int batch, boolean cnn, Json out) throws Exception {
    Tensor[][] data = fashionMnist(cnn);
    Tensor[] train = data[0];
    Tensor[] test = data[1];
    int n = train[0].size(0);

    Model warm = cnn ? cnn(o.seed + 1) : model(o.seed + 1);
    DataLoader warmLoader = DataLoader.of(train[0], train[1]).batchSize(batch).shuffle(o.seed + 1)
        .prefetch(o.prefetch).build();
    int steps = 0;
    long warmStart = System.nanoTime();
    while (steps < o.warmupSteps) {
      for (DataLoader.Batch b : warmLoader.epoch(steps)) {
        warm.trainStep(b.x(), b.y());
        if (++steps >= o.warmupSteps) {
          break;
        }
      }
    }
    double warmSeconds = (System.nanoTime() - warmStart) / 1e9;

    Model model = cnn ? cnn(o.seed) : model(o.seed);
    DataLoader loader = DataLoader.of(train[0], train[1]).batchSize(batch).shuffle(o.seed)
        .prefetch(o.prefetch).build();
    double[] seconds = new double[o.epochs];
    double[] heapMb = new double[o.epochs];
    double lastLoss = 0;
    int seen = 0;
    for (int e = 0; e < o.epochs; e++) {
      double lossSum = 0;
      seen = 0;
      long start = System.nanoTime();
      for (DataLoader.Batch b : loader.epoch(e)) {
        Tensor[] step = model.trainStep(b.x(), b.y());
        lossSum += step[0].item() * b.x().size(0);
        seen += b.x().size(0);
        if (b.index() + 1 >= o.maxBatches) {
          break;
        }
      }
      seconds[e] = (System.nanoTime() - start) / 1e9;
      lastLoss = lossSum / seen;
      heapMb[e] = heapInUseMb();
      System.err.printf(Locale.ROOT, "nabla %s epoch %d: %.3f s, loss %.4f%n", o.workload, e + 1,
          seconds[e], lastLoss);
    }
    double flops = cnn ? cnnTrainingFlops(seen) : trainingFlops(seen);
    out.put("batch", batch)
        .put("samples", seen)
        .put("warmup_steps", o.warmupSteps)
        .put("warmup_s", warmSeconds)
        .put("epochs", o.epochs)
        .put("epoch_s", seconds)
        .put("heap_after_epoch_mb", heapMb)
        .put("max_heap_mb", Runtime.getRuntime().maxMemory() / 1048576.0)
        .put("first_epoch_s", seconds[0])
        .put("last_epoch_s", seconds[o.epochs - 1])
        .put("gemm_gflop_per_epoch", flops / 1e9)
        .put("first_epoch_gflops", flops / seconds[0] / 1e9)
        .put("last_epoch_gflops", flops / seconds[o.epochs - 1] / 1e9)
        .put("final_train_loss", lastLoss)
        .put("test_accuracy", accuracy(model, test[0], test[1]));
  }

  /** Sizes of the {@code lstm} workload: vocabulary, embedding, hidden, batch (streams), chunk length. */
  static final int LM_VOCAB = 100;
  static final int LM_DIM = 64;
  static final int LM_HIDDEN = 256;
  static final int LM_BATCH = 32;
  static final int LM_CHUNK = 64;

  /**
   * The synthetic text of the {@code lstm} workload: {@code length} token ids in [0, vocab) from the
   * 31-bit linear congruential generator x ← (1103515245·x + 12345) mod 2³¹, token = (x ≫ 16) mod
   * vocab, started at {@code seed} ({@code bench/torch_workloads.py} computes the same stream).
   */
  static int[] tokenStream(int length, int vocab, long seed) {
    int[] t = new int[length];
    long x = seed & 0x7fffffffL;
    for (int i = 0; i < length; i++) {
      x = (1103515245L * x + 12345L) & 0x7fffffffL;
      t[i] = (int) ((x >>> 16) % vocab);
    }
    return t;
  }

  /** The character language model of the {@code lstm} workload and its training step. */
  private static final class CharLm {
    final Embedding embedding;
    final LSTM lstm;
    final Linear head;
    final Optimizer optimizer;
    final Loss loss = Losses.softmaxCrossEntropy();
    Recurrent.State state;

    CharLm(long seed) {
      Generator g = new Generator(seed);
      embedding = new Embedding(LM_VOCAB, LM_DIM, -1, g);
      lstm = new LSTM(LM_DIM, LM_HIDDEN, 1, false, g);
      head = new Linear(LM_HIDDEN, LM_VOCAB, g);
      List<Tensor> params = new ArrayList<>();
      for (Module m : new Module[] {embedding, lstm, head}) {
        params.addAll(m.parameters());
      }
      optimizer = new Adam(params, 1e-3);
    }

    /** One step on inputs and targets {@code [batch, chunk]}; returns the loss. */
    double step(Tensor x, Tensor y) {
      Recurrent.Output o = lstm.forward(embedding.forward(x), state, null);
      Tensor logits = head.forward(o.output().reshape(-1, LM_HIDDEN));
      Tensor l = loss.apply(logits, y.reshape(-1));
      optimizer.zeroGrad();
      l.backward();
      optimizer.step();
      state = o.detachedState();
      return l.item();
    }
  }

  /** Chunk {@code i} of the {@code LM_BATCH} streams, shifted by {@code shift}: {@code [batch, chunk]}. */
  private static Tensor chunk(int[] text, int i, int shift) {
    int streamLength = text.length / LM_BATCH;
    int chunks = (streamLength - 1) / LM_CHUNK;
    int position = (i % chunks) * LM_CHUNK;
    float[] v = new float[LM_BATCH * LM_CHUNK];
    for (int b = 0; b < LM_BATCH; b++) {
      for (int t = 0; t < LM_CHUNK; t++) {
        v[b * LM_CHUNK + t] = text[b * streamLength + position + shift + t];
      }
    }
    return Tensor.fromArray(v, LM_BATCH, LM_CHUNK);
  }

  private static void lstm(Options o, Json out) {
    int[] text = tokenStream(1 << 20, LM_VOCAB, o.seed);
    CharLm warm = new CharLm(o.seed + 1);
    long warmStart = System.nanoTime();
    for (int i = 0; i < o.warmupSteps; i++) {
      warm.step(chunk(text, i, 0), chunk(text, i, 1));
    }
    double warmSeconds = (System.nanoTime() - warmStart) / 1e9;
    CharLm lm = new CharLm(o.seed);
    double[] stepMs = new double[o.steps];
    double lossSum = 0;
    long cpuStart = processCpuNanos();
    long start = System.nanoTime();
    for (int i = 0; i < o.steps; i++) {
      long s = System.nanoTime();
      lossSum += lm.step(chunk(text, i, 0), chunk(text, i, 1));
      stepMs[i] = (System.nanoTime() - s) / 1e6;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
    double tokens = (double) o.steps * LM_BATCH * LM_CHUNK;
    System.err.printf(Locale.ROOT, "nabla lstm: %d steps in %.3f s, %.0f tokens/s, median step %.2f ms,"
        + " mean loss %.4f%n", o.steps, seconds, tokens / seconds, median(stepMs), lossSum / o.steps);
    out.put("batch", LM_BATCH)
        .put("chunk", LM_CHUNK)
        .put("vocab", LM_VOCAB)
        .put("embedding", LM_DIM)
        .put("hidden", LM_HIDDEN)
        .put("warmup_steps", o.warmupSteps)
        .put("warmup_s", warmSeconds)
        .put("steps", o.steps)
        .put("seconds", seconds)
        .put("tokens_per_s", tokens / seconds)
        .put("cpu_s", cpuSeconds)
        .put("tokens_per_cpu_s", tokens / cpuSeconds)
        .put("median_step_ms", median(stepMs))
        .put("mean_loss", lossSum / o.steps)
        .put("heap_after_mb", heapInUseMb());
  }

  /**
   * CPU time of the whole process (all threads: compute, garbage collection, compiler), in nanoseconds; on a
   * shared machine it shows the work done apart from the time the process waited for a core.
   */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** Heap in use after a full collection, in MiB (untimed: called between epochs). */
  private static double heapInUseMb() {
    System.gc();
    Runtime r = Runtime.getRuntime();
    return (r.totalMemory() - r.freeMemory()) / 1048576.0;
  }

  private static void infer(Options o, Json out) throws Exception {
    Tensor[] test = tensors(Datasets.fromEnvironment().load(Datasets.FASHION_MNIST).test(), false);
    Tensor x = test[0];
    int n = x.size(0);
    int batch = 1000;
    Model model = model(o.seed);
    model.network().eval();
    double[] passes = new double[o.passes];
    double[] latencies = new double[o.singles];
    float sink = 0;
    try (var scope = GradMode.noGrad()) {
      for (int p = -o.warmupPasses; p < o.passes; p++) {
        long start = System.nanoTime();
        for (int from = 0; from < n; from += batch) {
          sink += model.forward(x.narrow(0, from, Math.min(batch, n - from))).floatData()[0];
        }
        if (p >= 0) {
          passes[p] = (System.nanoTime() - start) / 1e9;
        }
      }
      for (int i = -o.warmupSingles; i < o.singles; i++) {
        int index = Math.floorMod(i, n);
        long start = System.nanoTime();
        Tensor y = model.forward(x.narrow(0, index, 1));
        long ns = System.nanoTime() - start;
        sink += y.floatData()[0];
        if (i >= 0) {
          latencies[i] = ns / 1e3;
        }
      }
    }
    double passSeconds = median(passes);
    out.put("batch", batch)
        .put("samples", n)
        .put("passes", o.passes)
        .put("warmup_passes", o.warmupPasses)
        .put("pass_s", passSeconds)
        .put("images_per_s", n / passSeconds)
        .put("single_latency_median_us", median(latencies))
        .put("single_latency_p90_us", percentile(latencies, 0.9))
        .put("singles", o.singles)
        .put("checksum", sink);
  }

  private static void gemm(Options o, Json out) throws Exception {
    List<Json> results = new ArrayList<>();
    Random random = new Random(o.seed);
    List<GemmCase> cases = new ArrayList<>();
    for (int[] s : GEMM_SHAPES) {
      for (String layout : LAYOUTS) {
        cases.add(new GemmCase(s[0], s[1], s[2], layout, random));
      }
    }
    for (GemmCase c : cases) {
      c.runFor(0.3);
    }
    FmaPeak.peak(o.threads);
    // Each timed run is paired with an FMA-peak sample on the same number of threads taken just
    // before it, so that a slow spell of this shared machine lowers both: the fraction of peak is
    // the median of the per-pair ratios.
    for (GemmCase c : cases) {
      c.runFor(0.1);
      double[] rates = new double[o.gemmRuns];
      double[] peaks = new double[o.gemmRuns];
      double[] fractions = new double[o.gemmRuns];
      for (int r = 0; r < rates.length; r++) {
        peaks[r] = FmaPeak.sample(o.threads, 0.03);
        rates[r] = c.rate(0.03);
        fractions[r] = rates[r] / peaks[r];
      }
      double gflops = median(rates);
      System.err.printf(Locale.ROOT, "nabla gemm %s %s: %.1f GFLOP/s, %.0f%% of the paired peak%n",
          c.name(), c.layout, gflops, 100 * median(fractions));
      results.add(new Json().put("shape", c.name()).put("layout", c.layout).put("gflops", gflops)
          .put("paired_peak_gflops", median(peaks)).put("of_paired_peak", median(fractions)));
    }
    double peak1 = FmaPeak.peak(1);
    double peak2 = FmaPeak.peak(2);
    System.err.printf(Locale.ROOT, "nabla fma peak: %.1f GFLOP/s (1 thread), %.1f (2 threads)%n",
        peak1, peak2);
    out.put("runs_per_case", o.gemmRuns)
        .put("vector_lanes", FmaPeak.lanes())
        .put("peak_1t_gflops", peak1)
        .put("peak_2t_gflops", peak2)
        .put("gemm", results);
  }

  /** One GEMM shape and layout with its operands, timed through {@link Gemm#sgemm}. */
  private static final class GemmCase {
    final int m;
    final int k;
    final int n;
    final String layout;
    final boolean transA;
    final boolean transB;
    final float[] a;
    final float[] b;
    final float[] c;

    GemmCase(int m, int k, int n, String layout, Random random) {
      this.m = m;
      this.k = k;
      this.n = n;
      this.layout = layout;
      this.transA = layout.charAt(0) == 'T';
      this.transB = layout.charAt(1) == 'T';
      this.a = randomArray(m * k, random);
      this.b = randomArray(k * n, random);
      this.c = new float[m * n];
    }

    String name() {
      return m + "x" + k + "x" + n;
    }

    void call() {
      Gemm.sgemm(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0f, c, 0,
          n);
    }

    /** Calls repeatedly for about {@code seconds}; returns the number of calls. */
    long runFor(double seconds) {
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      long calls = 0;
      do {
        call();
        calls++;
      } while (System.nanoTime() < deadline);
      return calls;
    }

    /** GFLOP/s over a run of at least {@code seconds}. */
    double rate(double seconds) {
      long start = System.nanoTime();
      long calls = runFor(seconds);
      double elapsed = (System.nanoTime() - start) / 1e9;
      return 2.0 * m * n * k * calls / elapsed / 1e9;
    }
  }

  /** The seed network, built for 28×28 inputs, compiled with Adam 1e-3 and softmax cross-entropy. */
  private static Model model(long seed) {
    Model model = Model.sequential(new Flatten(),
        Linear.dense(LAYERS[1], Activation.RELU),
        Linear.dense(LAYERS[2], Activation.RELU),
        Linear.dense(LAYERS[3]))
        .build(new Generator(seed), 28, 28);
    model.compile(params -> new Adam(params, 1e-3), Losses.softmaxCrossEntropy());
    return model;
  }

  /** The CNN of issue 5 for {@code [1, 28, 28]} inputs, compiled with Adam 1e-3 and softmax cross-entropy. */
  private static Model cnn(long seed) {
    Model model = Model.sequential(Conv2d.of(32, 3, "same", Activation.RELU), new MaxPool2d(2),
        Conv2d.of(64, 3, "same", Activation.RELU), new MaxPool2d(2), new Flatten(),
        Linear.dense(128, Activation.RELU), new Dropout(0.5), Linear.dense(10))
        .build(new Generator(seed), 1, 28, 28);
    model.compile(params -> new Adam(params, 1e-3), Losses.softmaxCrossEntropy());
    return model;
  }

  /**
   * Fashion-MNIST's training and test sets as {@link #tensors}: {train, test}, each {images, labels}. The bytes as
   * read are not kept, so the heap holds the data once, as the training does (for the {@code -Xmx512m} runs).
   */
  private static Tensor[][] fashionMnist(boolean channel) throws Exception {
    Split data = Datasets.fromEnvironment().load(Datasets.FASHION_MNIST);
    return new Tensor[][] {tensors(data.train(), channel), tensors(data.test(), channel)};
  }

  /**
   * Images scaled to [0, 1] as {@code [n, 28, 28]} (or {@code [n, 1, 28, 28]} for the CNN) and
   * labels as {@code [n]}.
   */
  private static Tensor[] tensors(LabeledImages images, boolean channel) {
    Tensor x = channel
        ? Tensor.wrap(images.pixelsAsFloats(), images.count(), 1, images.rows(), images.cols())
        : Tensor.wrap(images.pixelsAsFloats(), images.count(), images.rows(), images.cols());
    float[] labels = new float[images.count()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = images.labels()[i];
    }
    return new Tensor[] {x, Tensor.fromArray(labels, labels.length)};
  }

  private static double accuracy(Model model, Tensor x, Tensor y) {
    Tensor predicted = model.predict(x, 1000).argmax(1, false);
    float[] p = predicted.toFloatArray();
    float[] t = y.toFloatArray();
    int right = 0;
    for (int i = 0; i < t.length; i++) {
      right += p[i] == t[i] ? 1 : 0;
    }
    return (double) right / t.length;
  }

  private static float[] randomArray(int length, Random random) {
    float[] x = new float[length];
    for (int i = 0; i < length; i++) {
      x[i] = random.nextFloat() - 0.5f;
    }
    return x;
  }

  static double median(double[] values) {
    return percentile(values, 0.5);
  }

  /** The {@code q}-quantile by linear interpolation between order statistics (numpy's default). */
  static double percentile(double[] values, double q) {
    double[] s = values.clone();
    Arrays.sort(s);
    double pos = q * (s.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, s.length - 1);
    return s[lo] + (pos - lo) * (s[hi] - s[lo]);
  }

  /** Command-line settings; every workload ignores the ones it does not use. */
  private static final class Options {
    String workload;
    int threads = 1;
    int epochs = 5;
    int warmupSteps = 1000;
    long seed = 42;
    int passes = 20;
    int warmupPasses = 100;
    int singles = 2000;
    int warmupSingles = 2000;
    int gemmRuns = 7;
    int maxBatches = Integer.MAX_VALUE;
    int steps = 100;
    int prefetch = 0;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (!arg.startsWith("--")) {
          if (o.workload != null) {
            throw usage("two workloads given: " + o.workload + " and " + arg);
          }
          o.workload = arg;
          continue;
        }
        if (i + 1 >= args.length) {
          throw usage(arg + " needs a value");
        }
        String value = args[++i];
        int v;
        try {
          v = Integer.parseInt(value);
        } catch (NumberFormatException e) {
          throw usage(arg + " takes an integer, got '" + value + "'");
        }
        switch (arg) {
          case "--threads" -> o.threads = v;
          case "--epochs" -> o.epochs = v;
          case "--warmup-steps" -> o.warmupSteps = v;
          case "--seed" -> o.seed = v;
          case "--passes" -> o.passes = v;
          case "--warmup-passes" -> o.warmupPasses = v;
          case "--singles" -> o.singles = v;
          case "--gemm-runs" -> o.gemmRuns = v;
          case "--max-batches" -> o.maxBatches = v;
          case "--steps" -> o.steps = v;
          case "--prefetch" -> o.prefetch = v;
          default -> throw usage("unknown option " + arg);
        }
        if (v < (arg.equals("--warmup-steps") || arg.equals("--warmup-passes") || arg.equals("--seed")
            || arg.equals("--prefetch") ? 0 : 1)) {
          throw usage(arg + " = " + v + " is out of range");
        }
      }
      if (o.workload == null) {
        throw usage("no workload given");
      }
      return o;
    }

    private static IllegalArgumentException usage(String problem) {
      return new IllegalArgumentException("Workloads: " + problem + "; usage: Workloads"
          + " train32|train256|cnn|lstm|infer|gemm [--threads N] [--epochs E] [--warmup-steps W]"
          + " [--seed S] [--passes P] [--warmup-passes W] [--singles S] [--gemm-runs R] [--max-batches K]"
          + " [--steps S]"
          + " [--prefetch P]");
    }
  }

  /** A JSON object written on one line, keys in insertion order. */
  static final class Json {
    private final StringBuilder text = new StringBuilder("{");

    Json put(String key, Object value) {
      if (text.length() > 1) {
        text.append(", ");
      }
      text.append(quote(key)).append(": ");
      append(value);
      return this;
    }

    private void append(Object value) {
      if (value instanceof Double d) {
        text.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.6g", d) : "null");
      } else if (value instanceof Float f) {
        append((double) f);
      } else if (value instanceof Number || value instanceof Boolean) {
        text.append(value);
      } else if (value instanceof double[] array) {
        text.append('[');
        for (int i = 0; i < array.length; i++) {
          text.append(i == 0 ? "" : ", ");
          append(array[i]);
        }
        text.append(']');
      } else if (value instanceof List<?> list) {
        text.append('[');
        for (int i = 0; i < list.size(); i++) {
          text.append(i == 0 ? "" : ", ");
          append(list.get(i));
        }
        text.append(']');
      } else if (value instanceof Json json) {
        text.append(json);
      } else {
        text.append(quote(String.valueOf(value)));
      }
    }

    private static String quote(String s) {
      StringBuilder q = new StringBuilder("\"");
      for (char ch : s.toCharArray()) {
        switch (ch) {
          case '"' -> q.append("\\\"");
          case '\\' -> q.append("\\\\");
          case '\n' -> q.append("\\n");
          default -> {
            if (ch < 0x20) {
              q.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
            } else {
              q.append(ch);
            }
          }
        }
      }
      return q.append('"').toString();
    }

    @Override
    public String toString() {
      return text + "}";
    }
  }
}
