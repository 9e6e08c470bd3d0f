"""Summarises the CLK lines of a library built with diag-defines.patch and -DFKDA_EXP_CLK (one line per C32 chain CTA:
block, sequence, pairs, globaltimer at entry / loop start / loop end in ns, SM GHz over the loop, SM id) for the last
call of a one_call.py run: per sequence, the spread of entry, loop start and loop end in us from the call's first chain
CTA, and of the clock. Usage: python3 clk_post.py clk-auto.txt 192   (192 = the chain CTAs of one call)"""
import collections
import sys

rows = [line.split() for line in open(sys.argv[1]) if line.startswith("CLK ")][-int(sys.argv[2]):]
t0 = min(int(r[4]) for r in rows)
by_seq = collections.defaultdict(list)
for r in rows:
    by_seq[int(r[2])].append(r)
for n, rs in sorted(by_seq.items(), key=lambda kv: -int(kv[1][0][3])):
    def span(col):
        v = [(int(r[col]) - t0) / 1e3 for r in rs]
        return f"{min(v):.1f}-{max(v):.1f}"
    ghz = [float(r[7]) for r in rs]
    print(f"n={n} pairs={rs[0][3]} ctas={len(rs)} entry {span(4)} loop0 {span(5)} loop1 {span(6)} "
          f"GHz {min(ghz):.3f}-{max(ghz):.3f}")
