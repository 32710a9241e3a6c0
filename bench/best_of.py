#!/usr/bin/python3
"""Best against best: each side's better thread count against the other's, from bench/compare.sh runs.

    python3 bench/best_of.py bench/results/<1-thread run>.jsonl bench/results/<2-thread run>.jsonl

The targets of issues 4 and 5 compare Nabla with PyTorch "at its best setting", and the best thread count differs
by side and workload (on this machine PyTorch's batch-32 epoch is often faster on 1 thread than on 2). For each
workload in the given runs this prints, per side, the median (over repetitions) of each thread count, picks the
better one, and prints Nabla's best over PyTorch's best with the target. The two sides' bests may come from runs
minutes apart, so read the figure beside the per-run ratios that bench/compare.sh prints. Standard library only.
"""

import argparse
import statistics
import sys

from summarize import fmt, load

# workload: (value in a result, lower is better, target on Nabla/PyTorch, unit)
WORKLOADS = {
    "train32": (lambda r: r["epoch_s"][-1], True, 1 / 3, "s/epoch, last epoch"),
    "train256": (lambda r: r["epoch_s"][-1], True, 2 / 3, "s/epoch, last epoch"),
    "infer": (lambda r: r["images_per_s"], False, 1.5, "images/s"),
    "cnn": (lambda r: r["epoch_s"][-1], True, 1 / 2, "s/epoch, last epoch"),
}
# Runs of more than one timed epoch also get their first epoch compared, for information: on the JVM it still holds
# compilations of code that a short warm-up did not make hot (no target applies to it).
FIRST = (lambda r: r["epoch_s"][0], True, None, "s/epoch, first timed epoch")


def medians(paths):
    """{(workload, impl): {threads: median value}} over all the given runs; "<workload> epoch 1" keys too."""
    values = {}
    for path in paths:
        for run in load(path):
            result = run["result"]
            workload = result.get("workload")
            if workload not in WORKLOADS:
                continue
            key = (workload, result["impl"])
            values.setdefault(key, {}).setdefault(result["threads"], []).append(WORKLOADS[workload][0](result))
            if len(result.get("epoch_s", [])) > 1:
                first = (workload + " epoch 1", result["impl"])
                values.setdefault(first, {}).setdefault(result["threads"], []).append(FIRST[0](result))
    return {key: {t: statistics.median(v) for t, v in by_threads.items()} for key, by_threads in values.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("runs", nargs="+", help="raw results (.jsonl) of bench/compare.sh runs")
    a = p.parse_args()
    m = medians(a.runs)
    printed = False
    rows = []
    for workload, spec in WORKLOADS.items():
        rows.append((workload, spec))
        rows.append((workload + " epoch 1", FIRST))
    for workload, (_, lower, target, unit) in rows:
        nabla = m.get((workload, "nabla"))
        torch = m.get((workload, "torch"))
        if not nabla or not torch:
            continue
        pick = min if lower else max
        nt = pick(nabla, key=nabla.get)
        tt = pick(torch, key=torch.get)
        ratio = nabla[nt] / torch[tt]
        sides = "; ".join("%s %s" % (name, ", ".join("%d thread%s %s" % (t, "" if t == 1 else "s", fmt(v))
                                                     for t, v in sorted(side.items())))
                          for name, side in (("nabla", nabla), ("torch", torch)))
        print("%-9s %s (%s)" % (workload, sides, unit))
        if target is None:
            verdict = "no target"
        else:
            ok = ratio <= target if lower else ratio >= target
            verdict = "target %s %.2f: %s" % ("<=" if lower else ">=", target, "met" if ok else "MISSED")
        print("%-9s best against best: Nabla %s (%d) / PyTorch %s (%d) = %.3f, %s"
              % ("", fmt(nabla[nt]), nt, fmt(torch[tt]), tt, ratio, verdict))
        printed = True
    if not printed:
        sys.exit("best_of: no workload with both Nabla and PyTorch results in " + ", ".join(a.runs))


if __name__ == "__main__":
    main()
