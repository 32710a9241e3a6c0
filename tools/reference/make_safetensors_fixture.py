#!/usr/bin/env python3
"""Writes a small safetensors file from the format's specification alone, for Nabla's reader test.

Uses only the standard library (json, struct): no safetensors, numpy or torch, so the file comes from an
implementation independent of Nabla's. Regenerate with:

    python3 tools/reference/make_safetensors_fixture.py nabla-core/src/test/resources/reference.safetensors

The layout, per the specification: an 8-byte little-endian unsigned header length N; N bytes of UTF-8 JSON
mapping names to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the data after the header) and an
optional "__metadata__" map of strings; the header padded with spaces to a multiple of 8; then the data, each
tensor little-endian and row-major, covering the data exactly. The JSON lists the tensors in another order than
their data, and the F64 tensor starts at an offset that is not a multiple of 8: both are allowed, and a reader must
cope. SafetensorsTest asserts the values written here.
"""
import json
import struct
import sys

# name -> (dtype, shape, values); the order of this list is the order of the data.
TENSORS = [
    ("weights", "F32", [2, 3], [1.5, -2.25, 3.4028234663852886e38, 1.401298464324817e-45, -0.0, 0.1]),
    ("counts", "I64", [4], [0, -1, 9007199254740992, -123456789012]),
    ("scale", "F64", [], [0.1]),
    ("extremes", "F64", [2, 2], [float("inf"), float("-inf"), 1e-310, -1.7976931348623157e308]),
    ("empty", "F32", [0, 4], []),
]
METADATA = {"format": "pt", "note": "written by make_safetensors_fixture.py \u2713"}
FORMATS = {"F32": "<f", "F64": "<d", "I64": "<q"}


def build():
    data = b""
    header = {}
    for name, dtype, shape, values in TENSORS:
        count = 1
        for s in shape:
            count *= s
        assert count == len(values), name
        raw = b"".join(struct.pack(FORMATS[dtype], v) for v in values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    ordered = {"__metadata__": METADATA}
    for name in sorted(header, reverse=True):
        ordered[name] = header[name]
    text = json.dumps(ordered, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_safetensors_fixture.py OUTPUT")
    with open(sys.argv[1], "wb") as f:
        f.write(build())
