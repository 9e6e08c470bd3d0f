"""The host time of one flashkda.prefill call, piece by piece (session 23): the whole call with and without a caller
workspace, fast.pack (the 12 tensor descriptors), fast.size (validation + plan), torch.empty of the workspace, the
current-stream lookup, and fast.call alone (the library: validation, plan, launches), each as the median of 7 runs
of 50 back-to-back repetitions (the GPU kept behind, so launches do not block). Then eager ms per call (30 calls, as
prefill_bench.time_ms) with and without a caller workspace, alternated for 5 rounds.
Usage: FLASHKDA_LIBRARY=... PYTHONPATH=python python3 bench/experiments/s23/host_split.py [H:lens]"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import ab_shapes  # noqa: E402
import eager_gap  # noqa: E402
import prefill_bench as pb  # noqa: E402
import flashkda.ops as ops  # noqa: E402

x, out, ht, call, ws = ab_shapes.host_setup()
torch.cuda.synchronize()
fast = ops._fast
tensors = (x["q"], x["k"], x["v"], x["g"], x["beta"], x["A_log"], x["dt_bias"], x["h0"], ht, x["cu"], x.get("cu_cpu"), out)
flags = ops._flags(True, True, False)


def pack():
    return fast.pack(0, tensors, 10, 128 ** -0.5, -5.0, flags, 0, 0, -1, 0)


pack()
need = ws.numel()
stream = ops._current_stream(torch, 0) or 0


def host_us(fn, calls=50, reps=7):
    return eager_gap.host_us(fn, calls, reps)


print(sys.argv[1:] or "H = 16 varlen 6", "workspace", need, "bytes")
rows = [("prefill(workspace=None)", lambda: call()), ("prefill(workspace=ws)", lambda: call(ws)),
        ("fast.pack", pack), ("fast.size", lambda: fast.size(0)),
        ("torch.empty(ws)", lambda: torch.empty(need, dtype=torch.uint8, device="cuda")),
        ("current device + stream", lambda: (ops._current_device(torch), ops._current_stream(torch, 0))),
        ("fast.call (the library)", lambda: (pack(), fast.call(0, ws.data_ptr(), need, stream)))]
for name, fn in rows:
    print(f"  {name:26s} {host_us(fn):7.2f} us")
print(f"  {'fast.pack + fast.call':26s} (the row above includes pack)")
for r in range(5):
    a = pb.time_ms(lambda: call())
    b = pb.time_ms(lambda: call(ws))
    print(f"eager round {r}: workspace=None {a:.4f} ms  workspace=ws {b:.4f} ms")
