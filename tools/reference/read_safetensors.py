#!/usr/bin/env python3
"""Reads a safetensors file by the format's specification and prints its contents as JSON, checking it strictly.

Uses only the standard library, so it is independent of Nabla. SafetensorsTest runs it on a file Nabla wrote and
compares the output with what it wrote:

    python3 tools/reference/read_safetensors.py FILE

Prints {"metadata": {...}, "order": [names by data offset], "tensors": {name: {"dtype", "shape", "bits"}}}, where
"bits" are the raw little-endian elements as signed integers (exact, also for NaN and -0.0). Exits with status 1
and a message if the file breaks the format: the header length, the JSON, a dtype, a shape, byte ranges that do not
match their shape or do not cover the data exactly, a header not padded to a multiple of 8 bytes with spaces.
"""
import json
import struct
import sys

SIZES = {"F32": 4, "F64": 8, "I64": 8}
BITS = {4: "<i", 8: "<q"}


def fail(message):
    sys.exit("read_safetensors: " + message)


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        fail("shorter than 8 bytes")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > 100_000_000 or 8 + n > len(raw):
        fail("header length %d does not fit" % n)
    if n % 8 != 0:
        fail("header length %d is not a multiple of 8" % n)
    text = raw[8 : 8 + n].decode("utf-8")
    if not text.startswith("{"):
        fail("header does not start with '{'")
    if text.rstrip(" ") != text.rstrip():
        fail("header is padded with something other than spaces")

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            fail("duplicate keys")
        return dict(pairs)

    header = json.loads(text, object_pairs_hook=no_duplicates)
    data = raw[8 + n :]
    metadata = header.pop("__metadata__", {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        fail("metadata must map strings to strings")
    entries = sorted(header.items(), key=lambda item: tuple(item[1]["data_offsets"]))
    position = 0
    tensors = {}
    for name, info in entries:
        if set(info) != {"dtype", "shape", "data_offsets"}:
            fail("%s: fields %s" % (name, sorted(info)))
        size = SIZES.get(info["dtype"])
        if size is None:
            fail("%s: dtype %s" % (name, info["dtype"]))
        count = 1
        for s in info["shape"]:
            if not isinstance(s, int) or s < 0:
                fail("%s: shape %s" % (name, info["shape"]))
            count *= s
        begin, end = info["data_offsets"]
        if begin != position or end - begin != count * size:
            fail("%s: data_offsets %s" % (name, info["data_offsets"]))
        position = end
        bits = [struct.unpack(BITS[size], data[i : i + size])[0] for i in range(begin, end, size)]
        tensors[name] = {"dtype": info["dtype"], "shape": info["shape"], "bits": bits}
    if position != len(data):
        fail("tensors cover %d of %d data bytes" % (position, len(data)))
    return {"metadata": metadata, "order": [name for name, _ in entries], "tensors": tensors}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: read_safetensors.py FILE")
    json.dump(read(sys.argv[1]), sys.stdout, ensure_ascii=True, sort_keys=True)
