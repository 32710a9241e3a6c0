#!/usr/bin/python3
"""Prints the Nabla-vs-PyTorch table of a bench/compare.sh run from its raw results.

    python3 bench/summarize.py bench/results/<timestamp>.jsonl [--json OUT.json]

Each input line is {"rep": r, "wall_s": t, "result": {...}}, "result" being the JSON line that
dev.nabla.bench.Workloads or bench/torch_workloads.py printed. Values are medians over the
repetitions; a ratio is the median over repetitions of that repetition's Nabla/PyTorch ratio (the two
ran back to back, so the machine's drift cancels in it); GFLOP/s are also shown as a percentage of
the FMA peak that Nabla's FmaPeak probe measured in the same benchmark run (median over its
repetitions) for the run's thread count. Uses the standard library only.
"""

import argparse
import json
import os
import statistics
import sys

# Targets of issue 4: (kind, bound); "ratio<=" on Nabla/PyTorch of a time, "ratio>=" of a rate,
# "peak>=" on Nabla's percentage of the peak.
TARGETS = {
    "train32 s/epoch": ("ratio<=", 1 / 3),
    "train256 s/epoch": ("ratio<=", 2 / 3),
    "infer images/s": ("ratio>=", 1.5),
    "cnn s/epoch": ("ratio<=", 1 / 2),  # issue 5
    "lstm tokens/s": ("ratio>=", 1.0),  # issue 7
}
SQUARE = ("512x512x512", "1024x1024x1024")


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def load(path):
    runs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                runs.append(json.loads(line))
    return runs


def by_rep(runs, impl, workload):
    return {r["rep"]: r["result"] for r in runs
            if r["result"].get("impl") == impl and r["result"].get("workload") == workload}


def paired(nabla, torch, key):
    """Per-repetition values of both sides and their ratios, for reps where both exist."""
    n = [key(v) for v in nabla.values()]
    t = [key(v) for v in torch.values()]
    ratios = [key(nabla[r]) / key(torch[r]) for r in sorted(set(nabla) & set(torch))
              if key(nabla[r]) and key(torch[r])]
    return median(n), median(t), median(ratios)


def fmt(x, digits=3):
    if x is None:
        return "-"
    if abs(x) >= 1000:
        return "%.0f" % x
    return "%.*g" % (digits, x)


def pct(x):
    return "-" if x is None else "%.0f%%" % (100 * x)


def verdict(kind, bound, value):
    if value is None:
        return "-"
    ok = value <= bound if kind.endswith("<=") else value >= bound
    sign = "<=" if kind.endswith("<=") else ">="
    shown = pct(bound) if kind.startswith("peak") else "%.2f" % bound
    return ("met" if ok else "MISSED") + " (" + sign + " " + shown + ")"


def summarize(runs):
    rows = []  # (metric, nabla, torch, ratio, nabla % peak, torch % peak, target)
    threads = median([r["result"].get("threads") for r in runs]) or 1
    threads = int(threads)
    gemm_nabla = by_rep(runs, "nabla", "gemm")
    peak_key = "peak_%dt_gflops" % min(threads, 2)
    peak1 = median([g.get("peak_1t_gflops") for g in gemm_nabla.values()])
    peak2 = median([g.get("peak_2t_gflops") for g in gemm_nabla.values()])
    peak = median([g.get(peak_key) for g in gemm_nabla.values()]) if threads <= 2 else None

    def of_peak(x):
        return None if x is None or not peak else x / peak

    for w, batch in (("train32", 32), ("train256", 256), ("cnn", 64)):
        n, t = by_rep(runs, "nabla", w), by_rep(runs, "torch", w)
        if not n and not t:
            continue
        epochs = median([r.get("epochs") for r in list(n.values()) + list(t.values())])
        first = paired(n, t, lambda r: r["first_epoch_s"])
        last = paired(n, t, lambda r: r["last_epoch_s"])
        target = TARGETS.get(w + " s/epoch")
        if epochs != 1:
            rows.append((w + " s/epoch, epoch 1", *first, None, None, ""))
        rows.append((w + " s/epoch, epoch %d" % epochs, *last, None, None,
                     verdict(*target, last[2]) if target else ""))
        gf = paired(n, t, lambda r: r["last_epoch_gflops"])
        rows.append((w + " GEMM GFLOP/s, epoch %d" % epochs, *gf, of_peak(gf[0]), of_peak(gf[1]),
                     verdict("peak>=", 0.4, of_peak(gf[0])) if batch == 256 and threads == 2 else ""))
        acc = paired(n, t, lambda r: r.get("test_accuracy"))
        rows.append((w + " test accuracy after", *acc, None, None, ""))
    n, t = by_rep(runs, "nabla", "lstm"), by_rep(runs, "torch", "lstm")
    if n or t:
        tps = paired(n, t, lambda r: r["tokens_per_s"])
        rows.append(("lstm tokens/s (batch 32 x 64, hidden 256)", *tps, None, None,
                     verdict(*TARGETS["lstm tokens/s"], tps[2])))
        rows.append(("lstm median step, ms", *paired(n, t, lambda r: r["median_step_ms"]), None, None, ""))
        rows.append(("lstm tokens per CPU second (process)", *paired(n, t, lambda r: r.get("tokens_per_cpu_s")),
                     None, None, ""))
        rows.append(("lstm mean training loss", *paired(n, t, lambda r: r["mean_loss"]), None, None, ""))
    n, t = by_rep(runs, "nabla", "infer"), by_rep(runs, "torch", "infer")
    if n or t:
        ips = paired(n, t, lambda r: r["images_per_s"])
        rows.append(("infer images/s (batch 1000)", *ips, None, None,
                     verdict(*TARGETS["infer images/s"], ips[2])))
        rows.append(("infer 1-image latency, median us",
                     *paired(n, t, lambda r: r["single_latency_median_us"]), None, None, ""))
    gemm_torch = by_rep(runs, "torch", "gemm")
    if gemm_nabla or gemm_torch:
        keys = []
        for g in list(gemm_nabla.values()) + list(gemm_torch.values()):
            for c in g["gemm"]:
                if (c["shape"], c["layout"]) not in keys:
                    keys.append((c["shape"], c["layout"]))
        for shape, layout in keys:
            def rate(r, shape=shape, layout=layout):
                return next((c["gflops"] for c in r["gemm"]
                             if c["shape"] == shape and c["layout"] == layout), None)
            nv, tv, ratio = paired(gemm_nabla, gemm_torch, rate)

            def paired_fraction(r, shape=shape, layout=layout):
                return next((c.get("of_paired_peak") for c in r["gemm"]
                             if c["shape"] == shape and c["layout"] == layout), None)
            # Nabla's fraction of peak: against FMA-peak samples taken right before each timed run
            # (same threads), when the run has them; else against the run's one peak figure.
            fraction = median([paired_fraction(r) for r in gemm_nabla.values()])
            if fraction is None:
                fraction = of_peak(nv)
            if shape in SQUARE:
                target = verdict("peak>=", 0.70, fraction)
            elif threads == 1:
                target = verdict("peak>=", 0.55, fraction)
            else:
                target = "(vs 1-thread peak: %s)" % pct(None if nv is None or not peak1 else nv / peak1)
            rows.append(("gemm %s %s GFLOP/s" % (shape, layout), nv, tv, ratio, fraction,
                         of_peak(tv), target))
    return rows, {"threads": threads, "peak_1t_gflops": peak1, "peak_2t_gflops": peak2,
                  "peak_used_gflops": peak}


def torch_settings(runs):
    for r in runs:
        s = r["result"].get("settings")
        if r["result"].get("impl") == "torch" and s:
            return s
    return None


def nabla_settings(runs):
    for r in runs:
        if r["result"].get("impl") == "nabla":
            return {k: r["result"].get(k) for k in ("java", "simd", "threads", "prefetch")}
    return None


def render(rows, info, runs):
    reps = len({r["rep"] for r in runs})
    head = ("metric", "Nabla", "PyTorch", "Nabla/PyTorch", "Nabla %peak", "PyTorch %peak", "target")
    table = [head] + [(m, fmt(n), fmt(t), fmt(r), pct(np_), pct(tp), tg)
                      for m, n, t, r, np_, tp, tg in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    lines = []
    for i, row in enumerate(table):
        lines.append("  ".join(c.ljust(widths[j]) if j == 0 else c.rjust(widths[j]) if j < 6 else c
                               for j, c in enumerate(row)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    out = ["Nabla vs PyTorch, %d thread(s), %d repetition(s) each, alternating; medians."
           % (info["threads"], reps)]
    if info["peak_1t_gflops"] is None:
        out.append("No FMA peak in this run (it is measured by the gemm workload): no %peak column.")
    else:
        out.append("FMA peak measured in this run (Nabla's FmaPeak, median): 1 thread %s GFLOP/s, "
                   "2 threads %s GFLOP/s; %%peak uses the %d-thread peak."
                   % (fmt(info["peak_1t_gflops"], 4), fmt(info["peak_2t_gflops"], 4), min(info["threads"], 2)))
    short = sorted({r["result"]["samples"] for r in runs
                    if r["result"].get("workload", "") in ("train32", "train256", "cnn")
                    and r["result"].get("samples", 60000) < 60000})
    if short:
        out.append("NOTE: training epochs were cut short (MAX_BATCHES) to %s samples: a smoke test, not a result."
                   % ", ".join(map(str, short)))
    loads = [r["load1_before"] for r in runs if r.get("load1_before") is not None]
    if loads:
        out.append("Load average (1 min) before the runs: median %.2f, range %.2f-%.2f on %s CPUs."
                   % (statistics.median(loads), min(loads), max(loads), os.cpu_count()))
    out.append("")
    out.extend(lines)
    out.append("")
    out.append("Nabla/PyTorch is the median of the per-repetition ratios (times: lower is better for Nabla; "
               "rates and GFLOP/s: higher is better).")
    if any(m.startswith("train") for m, *_ in rows):
        out.append("Training GFLOP/s count the epoch's GEMM work: forward, weight gradients, and input gradients "
                   "of layers 2 and 3 (≈60.4 GFLOP per 60,000-image epoch).")
    if any(m.startswith("cnn") for m, *_ in rows):
        out.append("CNN GFLOP/s count the multiply-adds of the convolutions and dense layers: forward, weight "
                   "gradients, and input gradients of all layers but the first (≈1.5 TFLOP per 60,000-image epoch).")
    ns = nabla_settings(runs)
    if ns:
        out.append("Nabla: %s, Vector API GEMM %s, %s thread(s)%s."
                   % (ns["java"], "on" if ns["simd"] else "OFF", ns["threads"],
                      "; training batches assembled %s ahead on a background thread" % ns["prefetch"]
                      if ns.get("prefetch") else ""))
    ts = torch_settings(runs)
    if ts:
        out.append("PyTorch %s (Python %s), %s thread(s); flush_denormal=%s; BLAS loaded: %s; OpenBLAS core %s "
                   "(%s threads); OPENBLAS_CORETYPE=%s OMP_WAIT_POLICY=%s OMP_NUM_THREADS=%s "
                   "OPENBLAS_NUM_THREADS=%s ATEN_CPU_CAPABILITY=%s."
                   % (ts.get("torch"), ts.get("python"), ts.get("torch_threads"), ts.get("flush_denormal"),
                      ", ".join(ts.get("blas_libraries") or []) or "none found", ts.get("openblas_core"),
                      ts.get("openblas_threads"), ts.get("OPENBLAS_CORETYPE"), ts.get("OMP_WAIT_POLICY"),
                      ts.get("OMP_NUM_THREADS"), ts.get("OPENBLAS_NUM_THREADS"),
                      ts.get("ATEN_CPU_CAPABILITY") or "(default)"))
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description="Summarize a bench/compare.sh raw results file.")
    p.add_argument("raw", help="the .jsonl file compare.sh wrote")
    p.add_argument("--json", help="also write the runs, the table rows and the settings to this JSON file")
    a = p.parse_args()
    runs = load(a.raw)
    if not runs:
        sys.exit("summarize: no results in " + a.raw)
    rows, info = summarize(runs)
    print(render(rows, info, runs))
    if a.json:
        keys = ("metric", "nabla", "torch", "ratio", "nabla_of_peak", "torch_of_peak", "target")
        with open(a.json, "w") as f:
            json.dump({"info": info, "torch_settings": torch_settings(runs),
                       "nabla_settings": nabla_settings(runs),
                       "table": [dict(zip(keys, row)) for row in rows], "runs": runs}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
