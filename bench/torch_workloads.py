#!/usr/bin/python3
"""The PyTorch side of the side-by-side speed benchmark (issue 4): the workloads of
dev.nabla.bench.Workloads, run the same way, one JSON line on stdout per run.

    /usr/bin/python3 bench/torch_workloads.py train32|train256|cnn|lstm|infer|gemm [--threads N] [--epochs E]
        [--warmup-steps W] [--seed S] [--passes P] [--warmup-passes W] [--singles S] [--gemm-runs R]
        [--max-batches K] [--steps S]

Uses Debian's PyTorch 1.13 (python3-torch) at its best setting on this machine, unless the
environment already says otherwise: OpenBLAS (libopenblas0-pthread) with
OPENBLAS_CORETYPE=SkylakeX when the processor has AVX-512, OMP_WAIT_POLICY=PASSIVE,
torch.set_flush_denormal(True), and N threads for ATen, OpenMP and OpenBLAS. The settings in
force and the BLAS library actually loaded are part of the output.
"""

import argparse
import ctypes
import gzip
import json
import os
import re
import statistics
import sys
import time

WORKLOADS = ("train32", "train256", "cnn", "lstm", "infer", "gemm")
LAYERS = (784, 256, 128, 10)
GEMM_SHAPES = ((512, 512, 512), (1024, 1024, 1024), (32, 784, 256), (32, 256, 128),
               (256, 784, 256), (784, 32, 256))
LAYOUTS = ("NN", "TN", "NT")
DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("workload", choices=WORKLOADS)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--warmup-steps", type=int, default=1000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--passes", type=int, default=20)
    p.add_argument("--warmup-passes", type=int, default=100)
    p.add_argument("--singles", type=int, default=2000)
    p.add_argument("--gemm-runs", type=int, default=7)
    p.add_argument("--max-batches", type=int, default=sys.maxsize)
    p.add_argument("--steps", type=int, default=100)
    a = p.parse_args()
    for name in ("threads", "epochs", "passes", "singles", "gemm_runs", "max_batches", "steps"):
        if getattr(a, name) < 1:
            p.error("--%s must be at least 1" % name.replace("_", "-"))
    if a.warmup_passes < 0:
        p.error("--warmup-passes must not be negative")
    return a


def has_avx512():
    try:
        with open("/proc/cpuinfo") as f:
            return any(line.startswith("flags") and " avx512f" in line for line in f)
    except OSError:
        return False


def configure_environment(threads):
    """Best setting per issue 4; must run before torch (and so OpenBLAS and libgomp) is loaded."""
    if has_avx512():
        os.environ.setdefault("OPENBLAS_CORETYPE", "SkylakeX")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(threads))


ARGS = parse_args()
configure_environment(ARGS.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402


def blas_info():
    """The BLAS library loaded into this process and, for OpenBLAS, the kernel it chose."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))  # makes sure the BLAS is loaded
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})
    info = {"blas_libraries": libs}
    for lib in libs:
        try:
            handle = ctypes.CDLL(lib)
            corename = handle.openblas_get_corename
        except (OSError, AttributeError):
            continue
        corename.restype = ctypes.c_char_p
        config = handle.openblas_get_config
        config.restype = ctypes.c_char_p
        info["openblas_core"] = corename().decode()
        info["openblas_config"] = config().decode().strip()
        info["openblas_threads"] = handle.openblas_get_num_threads()
        break
    build = re.search(r"\bBLAS_INFO=(\w+)", torch.__config__.show())
    info["torch_built_with_blas"] = build.group(1) if build else None
    return info


def settings():
    s = {"torch": torch.__version__, "python": sys.version.split()[0],
         "torch_threads": torch.get_num_threads(), "flush_denormal": FLUSH_DENORMAL}
    for key in ("OPENBLAS_CORETYPE", "OMP_WAIT_POLICY", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                "ATEN_CPU_CAPABILITY"):
        s[key] = os.environ.get(key)
    s.update(blas_info())
    return s


def data_dir():
    """Where Nabla's loader looks: $NABLA_DATA (else ~/.nabla/datasets)/fashion-mnist, then Debian's."""
    root = os.environ.get("NABLA_DATA") or os.path.join(os.path.expanduser("~"), ".nabla", "datasets")
    for d in (os.path.join(root, "fashion-mnist"), DEBIAN_FASHION_MNIST):
        if all(os.path.exists(os.path.join(d, f)) or os.path.exists(os.path.join(d, f + ".gz"))
               for f in IDX_FILES):
            return d
    sys.exit("torch_workloads: Fashion-MNIST not found in %s or %s (apt-get install dataset-fashion-mnist)"
             % (os.path.join(root, "fashion-mnist"), DEBIAN_FASHION_MNIST))


def read_idx(directory, name):
    path = os.path.join(directory, name)
    opener = open if os.path.exists(path) else gzip.open
    with opener(path if os.path.exists(path) else path + ".gz", "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def tensors(directory, prefix):
    """Images scaled to [0, 1] as float32 [n, 28, 28] (value / 255f, as Nabla) and int64 labels [n]."""
    images = read_idx(directory, prefix + "-images-idx3-ubyte")
    labels = read_idx(directory, prefix + "-labels-idx1-ubyte")
    x = torch.from_numpy(images.astype(np.float32) / np.float32(255))
    return x, torch.from_numpy(labels.astype(np.int64))


def model(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(),
                         nn.Linear(LAYERS[0], LAYERS[1]), nn.ReLU(),
                         nn.Linear(LAYERS[1], LAYERS[2]), nn.ReLU(),
                         nn.Linear(LAYERS[2], LAYERS[3]))


def cnn(seed):
    """The CNN of issue 5, as dev.nabla.bench.Workloads builds it, for [n, 1, 28, 28] inputs."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(),
                         nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(128, 10))


def cnn_training_flops(n):
    """GEMM FLOPs of one CNN pass over n samples: forward and weight gradients of every layer,
    input gradients of all but the first (as Workloads.cnnTrainingFlops)."""
    conv1 = 28 * 28 * 32 * 9
    conv2 = 14 * 14 * 64 * 32 * 9
    dense1 = 3136 * 128
    dense2 = 128 * 10
    return 2 * n * (2 * conv1 + 3 * (conv2 + dense1 + dense2))


def training_flops(n):
    """GEMM FLOPs of one pass over n samples: forward, weight gradients, input gradients except layer 1's."""
    macs = [LAYERS[i] * LAYERS[i + 1] for i in range(len(LAYERS) - 1)]
    return n * (2 * 2 * sum(macs) + 2 * sum(macs[1:]))


def batches(n, batch, seed, epoch):
    g = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    order = torch.randperm(n, generator=g)
    for i in range(0, n, batch):
        yield order[i:i + batch]


def train(a, batch, out, conv=False):
    d = data_dir()
    x, y = tensors(d, "train")
    xt, yt = tensors(d, "t10k")
    if conv:
        x, xt = x.unsqueeze(1), xt.unsqueeze(1)
    build = cnn if conv else model
    n = x.shape[0]
    loss_fn = nn.CrossEntropyLoss()

    warm = build(a.seed + 1)
    warm_opt = torch.optim.Adam(warm.parameters(), lr=1e-3)
    steps = 0
    start = time.perf_counter()
    while steps < a.warmup_steps:
        for idx in batches(n, batch, a.seed + 1, steps):
            loss = loss_fn(warm(x[idx]), y[idx])
            warm_opt.zero_grad(set_to_none=True)
            loss.backward()
            warm_opt.step()
            steps += 1
            if steps >= a.warmup_steps:
                break
    warm_seconds = time.perf_counter() - start

    net = build(a.seed)
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    seconds = []
    seen = 0
    last_loss = 0.0
    for e in range(a.epochs):
        loss_sum = 0.0
        seen = 0
        start = time.perf_counter()
        for i, idx in enumerate(batches(n, batch, a.seed, e)):
            xb, yb = x[idx], y[idx]
            loss = loss_fn(net(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            seen += len(idx)
            if i + 1 >= a.max_batches:
                break
        seconds.append(time.perf_counter() - start)
        last_loss = loss_sum / seen
        print("torch %s epoch %d: %.3f s, loss %.4f" % (a.workload, e + 1, seconds[-1], last_loss),
              file=sys.stderr)
    with torch.inference_mode():
        net.eval()
        predicted = torch.cat([net(xt[i:i + 1000]).argmax(1) for i in range(0, xt.shape[0], 1000)])
        accuracy = (predicted == yt).float().mean().item()
    flops = cnn_training_flops(seen) if conv else training_flops(seen)
    out.update(batch=batch, samples=seen, warmup_steps=a.warmup_steps, warmup_s=warm_seconds,
               epochs=a.epochs, epoch_s=seconds, first_epoch_s=seconds[0], last_epoch_s=seconds[-1],
               gemm_gflop_per_epoch=flops / 1e9, first_epoch_gflops=flops / seconds[0] / 1e9,
               last_epoch_gflops=flops / seconds[-1] / 1e9, final_train_loss=last_loss,
               test_accuracy=accuracy)


# The lstm workload (issue 7), as dev.nabla.bench.Workloads: vocabulary, embedding, hidden, batch, chunk.
LM_VOCAB, LM_DIM, LM_HIDDEN, LM_BATCH, LM_CHUNK = 100, 64, 256, 32, 64


def token_stream(length, vocab, seed):
    """The synthetic text: x <- (1103515245 x + 12345) mod 2^31, token = (x >> 16) mod vocab (as Workloads)."""
    t = np.empty(length, np.int64)
    x = seed & 0x7FFFFFFF
    for i in range(length):
        x = (1103515245 * x + 12345) & 0x7FFFFFFF
        t[i] = (x >> 16) % vocab
    return torch.from_numpy(t)


class CharLm(nn.Module):
    """Embedding -> nn.LSTM (batch first) -> Linear, state carried between chunks."""

    def __init__(self, seed):
        super().__init__()
        torch.manual_seed(seed)
        self.embedding = nn.Embedding(LM_VOCAB, LM_DIM)
        self.lstm = nn.LSTM(LM_DIM, LM_HIDDEN, 1, batch_first=True)
        self.head = nn.Linear(LM_HIDDEN, LM_VOCAB)
        self.opt = torch.optim.Adam(self.parameters(), lr=1e-3)
        self.loss_fn = nn.CrossEntropyLoss()
        self.state = None

    def step(self, x, y):
        out, (h, c) = self.lstm(self.embedding(x), self.state)
        loss = self.loss_fn(self.head(out.reshape(-1, LM_HIDDEN)), y.reshape(-1))
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.state = (h.detach(), c.detach())
        return loss.item()


def lm_chunk(text, i, shift):
    """Chunk i of the LM_BATCH streams, shifted by `shift`: [batch, chunk] ids."""
    stream = text.shape[0] // LM_BATCH
    chunks = (stream - 1) // LM_CHUNK
    position = (i % chunks) * LM_CHUNK
    rows = text[:LM_BATCH * stream].reshape(LM_BATCH, stream)
    return rows[:, position + shift:position + shift + LM_CHUNK].contiguous()


def lstm(a, out):
    text = token_stream(1 << 20, LM_VOCAB, a.seed)
    warm = CharLm(a.seed + 1)
    start = time.perf_counter()
    for i in range(a.warmup_steps):
        warm.step(lm_chunk(text, i, 0), lm_chunk(text, i, 1))
    warm_seconds = time.perf_counter() - start
    lm = CharLm(a.seed)
    step_ms = []
    loss_sum = 0.0
    cpu_start = time.process_time()
    start = time.perf_counter()
    for i in range(a.steps):
        s = time.perf_counter()
        loss_sum += lm.step(lm_chunk(text, i, 0), lm_chunk(text, i, 1))
        step_ms.append((time.perf_counter() - s) * 1e3)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    tokens = a.steps * LM_BATCH * LM_CHUNK
    print("torch lstm: %d steps in %.3f s, %.0f tokens/s, median step %.2f ms, mean loss %.4f"
          % (a.steps, seconds, tokens / seconds, statistics.median(step_ms), loss_sum / a.steps), file=sys.stderr)
    out.update(batch=LM_BATCH, chunk=LM_CHUNK, vocab=LM_VOCAB, embedding=LM_DIM, hidden=LM_HIDDEN,
               warmup_steps=a.warmup_steps, warmup_s=warm_seconds, steps=a.steps, seconds=seconds,
               tokens_per_s=tokens / seconds, cpu_s=cpu_seconds, tokens_per_cpu_s=tokens / cpu_seconds,
               median_step_ms=statistics.median(step_ms),
               mean_loss=loss_sum / a.steps, mkldnn_enabled=torch.backends.mkldnn.enabled,
               mkldnn_available=torch.backends.mkldnn.is_available())


def infer(a, out):
    x, _ = tensors(data_dir(), "t10k")
    n = x.shape[0]
    batch = 1000
    net = model(a.seed).eval()
    passes = []
    latencies = []
    sink = 0.0
    with torch.inference_mode():
        for p in range(-a.warmup_passes, a.passes):
            start = time.perf_counter()
            for i in range(0, n, batch):
                sink += net(x[i:i + batch])[0, 0].item()
            if p >= 0:
                passes.append(time.perf_counter() - start)
        for i in range(-2000, a.singles):
            j = i % n
            start = time.perf_counter_ns()
            y = net(x[j:j + 1])
            ns = time.perf_counter_ns() - start
            sink += y[0, 0].item()
            if i >= 0:
                latencies.append(ns / 1e3)
    pass_seconds = statistics.median(passes)
    out.update(batch=batch, samples=n, passes=a.passes, warmup_passes=a.warmup_passes, pass_s=pass_seconds,
               images_per_s=n / pass_seconds,
               single_latency_median_us=statistics.median(latencies),
               single_latency_p90_us=float(np.percentile(latencies, 90)),
               singles=a.singles, checksum=sink)


def gemm(a, out):
    g = torch.Generator().manual_seed(a.seed)
    cases = []
    for m, k, n in GEMM_SHAPES:
        for layout in LAYOUTS:
            ta, tb = layout[0] == "T", layout[1] == "T"
            A = torch.rand(k if ta else m, m if ta else k, generator=g) - 0.5
            B = torch.rand(n if tb else k, k if tb else n, generator=g) - 0.5
            opA = A.t() if ta else A
            opB = B.t() if tb else B
            C = torch.empty(m, n)
            cases.append(((m, k, n), layout, opA, opB, C))

    def run_for(case, seconds):
        _, _, opA, opB, C = case
        deadline = time.perf_counter() + seconds
        calls = 0
        while True:
            torch.mm(opA, opB, out=C)
            calls += 1
            if time.perf_counter() >= deadline:
                return calls

    def rate(case, seconds):
        (m, k, n) = case[0]
        start = time.perf_counter()
        calls = run_for(case, seconds)
        return 2.0 * m * n * k * calls / (time.perf_counter() - start) / 1e9

    for case in cases:
        run_for(case, 0.3)
    results = []
    for case in cases:
        run_for(case, 0.1)
        gflops = statistics.median(rate(case, 0.03) for _ in range(a.gemm_runs))
        name = "x".join(map(str, case[0]))
        print("torch gemm %s %s: %.1f GFLOP/s" % (name, case[1], gflops), file=sys.stderr)
        results.append({"shape": name, "layout": case[1], "gflops": gflops})
    out.update(runs_per_case=a.gemm_runs, gemm=results)


def main():
    torch.set_num_threads(ARGS.threads)
    out = {"impl": "torch", "workload": ARGS.workload, "threads": ARGS.threads}
    out["settings"] = settings()
    {"train32": lambda: train(ARGS, 32, out), "train256": lambda: train(ARGS, 256, out),
     "cnn": lambda: train(ARGS, 64, out, conv=True), "lstm": lambda: lstm(ARGS, out),
     "infer": lambda: infer(ARGS, out), "gemm": lambda: gemm(ARGS, out)}[ARGS.workload]()
    print(json.dumps(out))


FLUSH_DENORMAL = torch.set_flush_denormal(True)

if __name__ == "__main__":
    main()
