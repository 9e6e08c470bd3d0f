"""Plot the prefill times of one results file (bench/results/*-prefill*.json): every variant measured, with
the memory floor, per shape, on a log scale. Used for bench/REPORT.md when no same-run FLA times exist.

    python3 bench/plot_prefill_times.py bench/results/2026-11-25-H100-prefill-v2.json bench/prefill-v2.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {"auto:1:1": "v2 (default)", "auto:1:0": "v1 (fused)", "auto:1:2": "v2 prep kernel alone",
          "auto:0:1": "v2, precise off"}


def main(src, dst):
    d = json.load(open(src))
    rows = d["rows"]
    variants = list(rows[0]["ours_ms_variants"])
    xs = range(len(rows))
    width = 0.8 / (len(variants) + 1)
    fig, ax = plt.subplots(figsize=(12, 4.8))
    for j, v in enumerate(variants):
        ax.bar([i + j * width - 0.4 for i in xs], [r["ours_ms_variants"][v] for r in rows], width, label=LABELS.get(v, v))
    ax.bar([i + len(variants) * width - 0.4 for i in xs], [r["floor_ms"] for r in rows], width, label="memory floor",
           color="black", alpha=0.5)
    ax.set_yscale("log")
    ax.set_xticks([i - 0.4 + width * len(variants) / 2 for i in xs])
    ax.set_xticklabels([f"H{r['H']}\n{r['sequences'][:14]}" for r in rows], fontsize=7)
    ax.set_ylabel("ms (log scale)")
    ax.set_title(f"KDA prefill, {d['card']}, {d['date']}, commit {d.get('commit', '?')}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(dst, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
