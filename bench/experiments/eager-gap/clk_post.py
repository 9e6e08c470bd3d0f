"""Summary of clk_run.py's CLK lines: the last call's chain CTAs (the last N_CTA lines), per sequence: entry (min,
max), wait+prologue, loop, tail (loop end to exit), exit (min, max), all in us from the first entry."""
import sys
from collections import defaultdict

rows = [ln.split() for ln in open(sys.argv[1]) if ln.startswith("CLK ")]
ncta = int(sys.argv[2])
rows = rows[-ncta:]
t0 = min(int(r[4]) for r in rows)
by = defaultdict(list)
for r in rows:
    cta, n, pairs, e, l0, l1, x, sm = r[1:]
    by[(int(n), int(pairs))].append([(int(v) - t0) / 1e3 for v in (e, l0, l1, x)])
for (n, pairs), v in sorted(by.items(), key=lambda i: -i[0][1]):
    col = list(zip(*v))
    print(f"seq {n} pairs {pairs:3d} CTAs {len(v):2d}: entry {min(col[0]):6.1f}-{max(col[0]):6.1f}  loop start "
          f"{min(col[1]):6.1f}-{max(col[1]):6.1f}  loop end {min(col[2]):6.1f}-{max(col[2]):6.1f}  exit "
          f"{min(col[3]):6.1f}-{max(col[3]):6.1f}  loop {min(b - a for a, b in zip(col[1], col[2])):6.1f}-"
          f"{max(b - a for a, b in zip(col[1], col[2])):6.1f}  tail {max(b - a for a, b in zip(col[2], col[3])):5.1f}")
