#!/usr/bin/env python3
"""Independent reader of TensorBoard event files, for Nabla's tests.

Usage: read_tfevents.py FILE

Reads the TFRecord framing (uint64 little-endian length, masked CRC-32C of the
length, data, masked CRC-32C of the data), checks both checksums, decodes each
record as TensorFlow's `Event` message with the protobuf runtime, and prints the
records as one JSON array on standard output.

The messages are declared here through the protobuf descriptor API, with the
field numbers of TensorFlow's event.proto and summary.proto (only the fields
Nabla writes):

    message HistogramProto { double min = 1; double max = 2; double num = 3;
        double sum = 4; double sum_squares = 5;
        repeated double bucket_limit = 6 [packed = true];
        repeated double bucket = 7 [packed = true]; }
    message Summary { message Value { string tag = 1;
        oneof value { float simple_value = 2; HistogramProto histo = 5; } }
        repeated Value value = 1; }
    message Event { double wall_time = 1; int64 step = 2;
        oneof what { string file_version = 3; Summary summary = 5; } }

CRC-32C (Castagnoli) is computed here bit by bit from its definition: reflected
polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF.

Needs Debian's python3-protobuf (apt-get install -y python3-protobuf).
Exit status: 0 on success, 1 on a malformed file, 3 when protobuf is missing.
"""
import json
import math
import struct
import sys

try:
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
except ImportError:
    sys.stderr.write("read_tfevents.py: the Python protobuf module is missing; "
                     "install it with: apt-get install -y python3-protobuf\n")
    sys.exit(3)

F = descriptor_pb2.FieldDescriptorProto


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    crc = crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def _field(message, name, number, ftype, label=F.LABEL_OPTIONAL, type_name=None, oneof=None, packed=False):
    f = message.field.add()
    f.name = name
    f.number = number
    f.type = ftype
    f.label = label
    if type_name:
        f.type_name = type_name
    if oneof is not None:
        f.oneof_index = oneof
    if packed:
        f.options.packed = True


def _event_class():
    fd = descriptor_pb2.FileDescriptorProto()
    fd.name = "nabla_reference_tfevents.proto"
    fd.package = "nabla_reference"
    fd.syntax = "proto3"

    h = fd.message_type.add()
    h.name = "HistogramProto"
    for name, number in (("min", 1), ("max", 2), ("num", 3), ("sum", 4), ("sum_squares", 5)):
        _field(h, name, number, F.TYPE_DOUBLE)
    _field(h, "bucket_limit", 6, F.TYPE_DOUBLE, F.LABEL_REPEATED, packed=True)
    _field(h, "bucket", 7, F.TYPE_DOUBLE, F.LABEL_REPEATED, packed=True)

    s = fd.message_type.add()
    s.name = "Summary"
    v = s.nested_type.add()
    v.name = "Value"
    v.oneof_decl.add().name = "value"
    _field(v, "tag", 1, F.TYPE_STRING)
    _field(v, "simple_value", 2, F.TYPE_FLOAT, oneof=0)
    _field(v, "histo", 5, F.TYPE_MESSAGE, type_name=".nabla_reference.HistogramProto", oneof=0)
    _field(s, "value", 1, F.TYPE_MESSAGE, F.LABEL_REPEATED, type_name=".nabla_reference.Summary.Value")

    e = fd.message_type.add()
    e.name = "Event"
    e.oneof_decl.add().name = "what"
    _field(e, "wall_time", 1, F.TYPE_DOUBLE)
    _field(e, "step", 2, F.TYPE_INT64)
    _field(e, "file_version", 3, F.TYPE_STRING, oneof=0)
    _field(e, "summary", 5, F.TYPE_MESSAGE, type_name=".nabla_reference.Summary", oneof=0)

    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    descriptor = pool.FindMessageTypeByName("nabla_reference.Event")
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


def records(data):
    pos = 0
    index = 0
    while pos < len(data):
        if len(data) - pos < 12:
            raise ValueError("record %d at byte %d: truncated header" % (index, pos))
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if masked_crc32c(header) != length_crc:
            raise ValueError("record %d at byte %d: length checksum mismatch" % (index, pos))
        start = pos + 12
        if len(data) - start < length + 4:
            raise ValueError("record %d at byte %d: truncated data (%d bytes declared)" % (index, pos, length))
        payload = data[start:start + length]
        (data_crc,) = struct.unpack("<I", data[start + length:start + length + 4])
        if masked_crc32c(payload) != data_crc:
            raise ValueError("record %d at byte %d: data checksum mismatch" % (index, pos))
        yield payload
        pos = start + length + 4
        index += 1


def to_json(event):
    out = {"wall_time": event.wall_time, "step": event.step}
    what = event.WhichOneof("what")
    if what == "file_version":
        out["file_version"] = event.file_version
    elif what == "summary":
        values = []
        for v in event.summary.value:
            item = {"tag": v.tag}
            kind = v.WhichOneof("value")
            if kind == "simple_value":
                item["simple_value"] = v.simple_value if math.isfinite(v.simple_value) else repr(v.simple_value)
            elif kind == "histo":
                h = v.histo
                item["histo"] = {"min": h.min, "max": h.max, "num": h.num, "sum": h.sum,
                                 "sum_squares": h.sum_squares, "bucket_limit": list(h.bucket_limit),
                                 "bucket": list(h.bucket)}
            values.append(item)
        out["summary"] = values
    return out


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: read_tfevents.py FILE\n")
        return 2
    event_class = _event_class()
    with open(argv[1], "rb") as f:
        data = f.read()
    result = []
    try:
        for payload in records(data):
            event = event_class()
            event.ParseFromString(payload)
            result.append(to_json(event))
    except Exception as e:  # a malformed file: say what and where
        sys.stderr.write("read_tfevents.py: %s: %s\n" % (argv[1], e))
        return 1
    json.dump(result, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
