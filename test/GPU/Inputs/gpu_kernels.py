#!/usr/bin/env python3
"""Lists the GPU kernel images embedded in a model library (cuda-lib.test).

    gpu_kernels.py libmodel.so

A CUDA fat binary (magic 0xBA55ED50, what gpu-module-to-binary format=fatbin
embeds) prints one line per image: "fatbin elf sm_80" (a cubin) or
"fatbin ptx sm_80" (PTX, compressed by fatbinary). Plain PTX text (format=isa)
prints "ptx <target> entries=N wmma=W mma.sync=M": its .target, how many
kernels (.entry) and TensorCore instructions it has.
"""
import re
import struct
import sys

FATBIN_MAGIC = struct.pack("<I", 0xBA55ED50)
KINDS = {1: "ptx", 2: "elf"}


def main(path):
    data = open(path, "rb").read()
    start = data.find(FATBIN_MAGIC)
    if start >= 0:
        _, _, header, size = struct.unpack_from("<IHHQ", data, start)
        offset, end = start + header, start + header + size
        while offset < end:
            kind, _, entry_header, payload = struct.unpack_from("<HHIQ", data,
                                                                offset)
            arch = struct.unpack_from("<I", data, offset + 28)[0]
            print("fatbin %s sm_%d" % (KINDS.get(kind, "kind%d" % kind), arch))
            offset += entry_header + payload
        return 0
    text = data.decode("latin-1")
    targets = re.findall(r"\.target (sm_\d+)", text)
    if not targets:
        print("no kernels")
        return 1
    print("ptx %s entries=%d wmma=%d mma.sync=%d" % (
        targets[0], len(re.findall(r"\.entry ", text)),
        text.count("wmma.mma.sync"),
        text.count("mma.sync.aligned.m16n8k16")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
