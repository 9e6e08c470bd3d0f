"""Top SASS instructions of an ncu source page (csv: `ncu -i R --page source --csv --print-source sass`) by a metric.

Usage: python3 bench/ncu_smem_top.py chain-sass.csv [--by "L1 Wavefronts Shared Excessive"] [--top 20]
Prints the columns found, the totals of the shared-memory wavefront columns, then the top instructions by --by.
"""
import argparse
import csv
import sys


def num(x):
    try:
        return float(str(x).replace(",", ""))
    except ValueError:
        return 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--by", default="L1 Wavefronts Shared Excessive")
    ap.add_argument("--top", type=int, default=20)
    a = ap.parse_args()
    with open(a.csv, newline="") as f:
        lines = f.read().splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith('"Address"') or l.startswith('"#"')), 0)
    rows = list(csv.DictReader(lines[start:]))
    if not rows:
        sys.exit("no rows")
    cols = list(rows[0].keys())
    seen, uniq = set(), []  # ncu prints each instruction once per kernel launch profiled; keep the first
    for r in rows:
        key = (r[cols[0]], r[cols[1]])
        if key not in seen:
            seen.add(key)
            uniq.append(r)
    rows = uniq
    print("columns:", " | ".join(cols))
    wav = [c for c in cols if "Wavefronts Shared" in c]
    for c in wav:
        print(f"total {c}: {sum(num(r[c]) for r in rows):.0f}")
    by = next((c for c in cols if c == a.by), None) or next((c for c in cols if a.by.lower() in c.lower()), None)
    if by is None:
        sys.exit(f"no column like {a.by}")
    src = next((c for c in cols if c.lower() in ("source", "sass")), cols[1])
    addr = cols[0]
    ex = next((c for c in cols if "Instructions Executed" in c), None)
    top = sorted(rows, key=lambda r: -num(r[by]))[: a.top]
    print(f"top by {by}:")
    for r in top:
        extra = " ".join(f"{c.replace('L1 Wavefronts ', '')}={num(r[c]):.0f}" for c in wav if c != by)
        print(f"{num(r[by]):10.0f} {r[addr]} {r[src][:70]:70s} exec={num(r[ex]) if ex else 0:.0f} {extra}")


if __name__ == "__main__":
    main()
