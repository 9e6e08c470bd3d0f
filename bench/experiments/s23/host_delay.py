"""Does host time per call reach an eager timing whose host is far ahead of the GPU? (session 23) H = 16 varlen 6 with
a caller workspace: eager ms per call (prefill_bench.time_ms, 30 calls, median of 5) with a busy-wait of 0 / 10 / 20 /
40 / 80 us on the host before each call, alternated over 3 rounds; then the same with the wait only before the first
call of each timed batch (the start gap alone).
Usage: FLASHKDA_LIBRARY=... PYTHONPATH=python python3 bench/experiments/s23/host_delay.py [H:lens]"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import ab_shapes  # noqa: E402
import prefill_bench as pb  # noqa: E402

x, out, ht, call, ws = ab_shapes.host_setup()


def spin(us):
    t = time.perf_counter() + us * 1e-6
    while time.perf_counter() < t:
        pass


for r in range(3):
    row = []
    for d in (0, 10, 20, 40, 80):
        def fn(d=d):
            spin(d)
            call(ws)
        row.append(f"{d:3d} us: {pb.time_ms(fn):.4f}")
    print("every call  ", "  ".join(row), flush=True)
for r in range(2):
    row = []
    for d in (0, 50, 100, 200):
        state = {"n": 0}

        def fn(d=d, state=state):
            if state["n"] % 30 == 1:  # time_ms: one warm-up call, then batches of 30
                spin(d)
            state["n"] += 1
            call(ws)
        row.append(f"{d:3d} us: {pb.time_ms(fn):.4f}")
    print("first call  ", "  ".join(row), flush=True)
