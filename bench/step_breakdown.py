#!/usr/bin/env python3
"""Splits the samples of a JFR recording of MLP training into forward, loss, backward, optimizer and data.

    java -XX:StartFlightRecording=filename=step.jfr,settings=profile ... dev.nabla.bench.Workloads train32 ...
    jfr print --stack-depth 64 --events jdk.ExecutionSample step.jfr > step.txt
    python3 bench/step_breakdown.py step.txt

A sample counts for the first of these frames found on its stack, innermost first; samples in none of them
(JIT compiler threads, GC, the harness) are listed as "other".
"""
import collections
import re
import sys

PHASES = [
    ("optimizer step", ("dev.nabla.optim.Optimizer.step",)),
    ("backward", ("dev.nabla.tensor.Autograd.run", "dev.nabla.tensor.Autograd$Pass.run")),
    ("loss", ("dev.nabla.nn.loss.",)),
    ("forward", ("dev.nabla.nn.Sequential.forward", "dev.nabla.nn.Linear.forward")),
    ("data (batch assembly)", ("dev.nabla.data.DataLoader",)),
]

text = open(sys.argv[1]).read()
counts = collections.Counter()
total = 0
for event in text.split("jdk.ExecutionSample")[1:]:
    frames = re.findall(r"^\s+([\w.$<>]+)\(", event, re.M)
    if not frames:
        continue
    total += 1
    phase = "other"
    for frame in frames:
        hit = next((name for name, prefixes in PHASES if frame.startswith(prefixes)), None)
        if hit:
            phase = hit
            break
    counts[phase] += 1
print(f"{total} samples")
for name, _ in PHASES + [("other", ())]:
    print(f"{name:24s} {100.0 * counts[name] / max(total, 1):5.1f}%")
