"""Times a list of prefill shapes with the library this process loads (FLASHKDA_LIBRARY), eager and as a CUDA graph
replay, for A/B runs of two builds: run it once per build, alternating (A B A B), in one device call.

    FLASHKDA_LIBRARY=.carry/a/lib/libflashkda.so PYTHONPATH=python python3 bench/ab_shapes.py --tag a \\
        16:1300,547,2048,963,271,3063 16:8192 16:1024*8 16:4000,20*200 16:8192/nohost

A shape is H:lengths, lengths comma-separated, each L or L*count; one length (or equal lengths) is a fixed-length
batch, mixed lengths a varlen batch with a host copy of cu_seqlens unless /nohost follows. Inputs and settings are
prefill_bench.py's (fp32 initial and final states). --summary FILE prints one table of every run in a --json file."""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prefill_bench as pb  # noqa: E402
import torch  # noqa: E402


def parse(spec):
    head, _, flag = spec.partition("/")
    h, lens = head.split(":")
    out = []
    for part in lens.split(","):
        n, _, c = part.partition("*")
        out += [int(n)] * int(c or 1)
    return int(h), out, flag != "nohost"


def setup(spec):
    """(x, out, ht): prefill_bench.make_inputs of a shape spec (with the host copy of cu_seqlens unless /nohost), and
    the output and final-state buffers run_ours writes"""
    H, lens, host = parse(spec)
    x = pb.make_inputs(H, lens)
    if x["cu"] is not None and host:
        x["cu_cpu"] = x["cu"].cpu()
    return x, torch.empty_like(x["v"]), torch.empty_like(x["h0"])


def workspace(x, out, ht):
    """One call of ours on setup's (x, out, ht), then a caller workspace of the size the library asks for that call
    (the binding's C hot path, which the call leaves holding its arguments, answers; None where it is not built)"""
    import flashkda.ops as ops
    pb.run_ours(x, out, ht)
    if ops._fast is None:
        return None
    return torch.empty(ops._fast.size(0)[1], dtype=torch.uint8, device="cuda")


def host_setup(default="16:1300,547,2048,963,271,3063"):
    """The host-time scripts' start (experiments/s23): the shape of sys.argv[1] (else default) set up, one call made
    and its workspace (workspace): (x, out, ht, call, ws) with call(ws=None) one prefill_bench.run_ours"""
    x, out, ht = setup(sys.argv[1] if len(sys.argv) > 1 else default)

    def call(ws=None):
        pb.run_ours(x, out, ht, ws)
    return x, out, ht, call, workspace(x, out, ht)


def summary(path):
    """One row per shape: each tag's eager and graph times (every run, in run order) from a --json file."""
    rows = [json.loads(line) for line in open(path)]
    tags = list(dict.fromkeys(r["tag"] for r in rows))
    print("| shape | " + " | ".join(f"{t} eager | {t} graph" for t in tags) + " |")
    print("|---|" + "---:|---:|" * len(tags))
    for shape in dict.fromkeys(r["shape"] for r in rows):
        cells = []
        for t in tags:
            mine = [r for r in rows if r["shape"] == shape and r["tag"] == t]
            cells.append(" ".join(f"{r['eager_ms']:.3f}" for r in mine))
            cells.append(" ".join(f"{r['graph_ms']:.3f}" for r in mine))
        print(f"| {shape} | " + " | ".join(cells) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shapes", nargs="*")
    ap.add_argument("--tag", default="")
    ap.add_argument("--json", default=None, help="append one JSON line per shape to this file")
    ap.add_argument("--summary", default=None, help="only print the table of a --json file (no GPU needed)")
    a = ap.parse_args()
    if a.summary:
        summary(a.summary)
        return
    for spec in a.shapes:
        x, out, ht = setup(spec)

        def run(x=x, out=out, ht=ht):
            pb.run_ours(x, out, ht)
        eager = pb.time_ms(run)
        graph = pb.graph_ms(run)
        print(f"{a.tag:>6s} {spec:>34s}  eager {eager:.4f}  graph {graph:.4f}", flush=True)
        if a.json:
            with open(a.json, "a") as f:
                f.write(json.dumps(dict(tag=a.tag, shape=spec, eager_ms=eager, graph_ms=graph,
                                        card=torch.cuda.get_device_name(), hot_path=pb.hot_path())) + "\n")
        del x, out, ht
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
