"""Session 24: does dropping the call's workspace from L2 (discard.global.L2, no write-back) after each prefill call
speed up the next one? Per shape, alternated rounds of: the call alone, the call + a no-op kernel of the discard's
launch shape, the call + the discard of its whole workspace (dead once the call ends), the discard alone. Eager and
graph medians.

    FLASHKDA_LIBRARY=... PYTHONPATH=python python3 bench/experiments/s24/discard_ab.py --so /tmp/discard.so \\
        --rounds 4 16:1300,547,2048,963,271,3063 16:8192"""
import argparse
import ctypes
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import ab_shapes  # noqa: E402
import prefill_bench as pb  # noqa: E402
import torch  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shapes", nargs="+")
    ap.add_argument("--so", required=True)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--env", default="", help="KEY=VALUE knobs set for the whole run")
    a = ap.parse_args()
    for kv in filter(None, a.env.split(",")):
        k, v = kv.split("=")
        os.environ[k] = v
    lib = ctypes.CDLL(a.so)
    lib.fk_discard.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_int]
    for spec in a.shapes:
        x, out, ht = ab_shapes.setup(spec)
        ws = ab_shapes.workspace(x, out, ht)  # the size the library asks for: the discard covers no more
        if ws is None:
            sys.exit("discard_ab.py needs the binding's C hot path (bench/device_env.sh fastcall_build)")

        def mk(mode):
            def f():
                if mode != 3:
                    pb.run_ours(x, out, ht, workspace=ws)
                if mode:
                    lib.fk_discard(ws.data_ptr(), ws.numel(), torch.cuda.current_stream().cuda_stream, mode >= 2)
            return f
        # correctness: the discard after a call must not change the next call's result
        mk(2)()
        ref = out.clone()
        mk(2)()
        mk(0)()
        assert torch.equal(out, ref), "output changed"
        res = {m: ([], []) for m in (0, 1, 2, 3)}
        for r in range(a.rounds):
            for mode in (0, 1, 2, 3):
                f = mk(mode)
                res[mode][0].append(pb.time_ms(f))
                res[mode][1].append(pb.graph_ms(f))
        med = lambda v: sorted(v)[len(v) // 2]  # noqa: E731
        print(f"{spec} ws {ws.numel() / 1e6:.1f} MB {a.env}")
        for mode, name in ((0, "call"), (1, "+noop"), (2, "+discard"), (3, "discard")):
            e, g = res[mode]
            print(f"  {name:9s} eager {med(e):.4f} [{' '.join(f'{t:.4f}' for t in e)}]  graph {med(g):.4f} "
                  f"[{' '.join(f'{t:.4f}' for t in g)}]", flush=True)


if __name__ == "__main__":
    main()
