"""Length of a kernel's hot loop in SASS: the backward branches whose body holds HMMA, with their instruction and
HMMA counts. Usage (no GPU needed; cuobjdump ships with nvcc and with Triton's bundled CUDA tools):
  nvcc -O3 -gencode arch=compute_90a,code=sm_90a --use_fast_math -lineinfo -I include -I src -cubin -o /tmp/p.cubin \
    src/cuda/prefill.cu && cuobjdump -sass -fun <mangled kernel name> /tmp/p.cubin > /tmp/k.sass && \
    python3 bench/sass_loop.py /tmp/k.sass
ptxas picks 248 or ~166 registers for the chain kernels after small edits; the 166-register build's loop is ~40-60
instructions longer (bench/NOTES.md, sessions 8 and 9), so check this after any edit of a chain kernel."""
import re
import sys


def loops(path):
    ins = []
    for line in open(path):
        m = re.match(r"\s+/\*([0-9a-f]{4,})\*/\s+(.*?);", line)
        if m:
            ins.append((int(m.group(1), 16), m.group(2)))
    found = []
    for addr, text in ins:
        m = re.search(r"BRA\s+0x([0-9a-f]+)", text)
        if m and int(m.group(1), 16) < addr:
            start = int(m.group(1), 16)
            body = [t for a, t in ins if start <= a <= addr]
            hmma = sum("HMMA" in t for t in body)
            if hmma:
                found.append((len(body), hmma, hex(start), hex(addr)))
    return sorted(found)


if __name__ == "__main__":
    for n, hmma, a, b in loops(sys.argv[1]):
        print(f"loop {a}..{b}: {n} instructions, {hmma} HMMA")
