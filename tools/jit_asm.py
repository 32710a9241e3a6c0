#!/usr/bin/env python3
"""Disassembles the machine code C2 printed for one method, when the JVM prints it only as hex.

    java -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,dev.nabla.kernel.VectorGemmNT::kernel \\
         -XX:CompileCommand=quiet ... > out.txt            # needs Debian's libhsdis0-fcml installed
    python3 tools/jit_asm.py out.txt > kernel.s            # needs objdump (binutils)

On this machine the FCML disassembler plugin makes the JVM print the code, but as "[MachCode]" hex: this takes
the last complete (non-OSR) C2 compilation in the file, rebuilds its bytes and runs objdump on them.
"""
import re
import subprocess
import sys
import tempfile

lines = open(sys.argv[1]).read().split("\n")
starts = [i for i, line in enumerate(lines) if "Compiled method (c2)" in line and " % " not in line]
if not starts:
    sys.exit("jit_asm: no complete C2 compilation in " + sys.argv[1])
code = bytearray()
base = None
for line in lines[starts[-1]:]:
    if line.startswith("[Stub Code]") or line.startswith("[Exception Handler]"):
        break
    m = re.match(r"\s+0x([0-9a-f]+): ((?:[0-9a-f]{4,8} ?\|? ?)+)", line)
    if not m:
        continue
    address = int(m.group(1), 16)
    if base is None:
        base = address
    end = base + len(code)
    if address < end:
        continue
    code += b"\x90" * (address - end)
    code += bytes.fromhex(re.sub(r"[ |]", "", m.group(2)))
print(lines[starts[-1]].strip())
with tempfile.NamedTemporaryFile(suffix=".bin") as f:
    f.write(code)
    f.flush()
    out = subprocess.run(["objdump", "-D", "-b", "binary", "-m", "i386:x86-64", "--adjust-vma=" + hex(base), f.name],
                         capture_output=True, text=True, check=True).stdout
for line in out.split("\n"):
    parts = line.split("\t")
    if len(parts) >= 3:
        print(parts[0].strip(), parts[2])
