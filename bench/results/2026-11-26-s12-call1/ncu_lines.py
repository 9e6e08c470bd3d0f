import csv, re, sys, collections
sass, kern, csvf = sys.argv[1], sys.argv[2], sys.argv[3]
# offset -> line (and opcode) for kernel
lines = open(sass).read().splitlines()
start = next(i for i,l in enumerate(lines) if l.startswith(kern + ':'))
cur = None; off2 = {}
for l in lines[start+1:]:
    if l.startswith('//-----'): break
    m = re.search(r'File "(.*?)", line (\d+)', l)
    if '## File' in l and m: cur = m.group(1).split('/')[-1] + ':' + m.group(2); continue
    m = re.match(r'\s+/\*([0-9a-f]+)\*/\s+(.*?);', l)
    if m: off2[int(m.group(1),16)] = (cur, m.group(2).strip())
rows = list(csv.reader(open(csvf)))
hdr = rows[1]; data = rows[2:]
ia = hdr.index('Address'); ie = hdr.index('Instructions Executed'); isamp = hdr.index('Warp Stall Sampling (All Samples)')
stalls = [h for h in hdr if h.startswith('stall_') and 'Not Issued' not in h]
base = int(data[0][ia],16)
byline = collections.defaultdict(lambda: [0,0,collections.Counter()])
tot=[0,0]
for r in data:
    off = int(r[ia],16)-base
    ln, op = off2.get(off, (None,'?'))
    e = float(r[ie].replace(',','') or 0); s = float(r[isamp].replace(',','') or 0)
    b = byline[ln]; b[0]+=e; b[1]+=s
    for h in stalls:
        v = float(r[hdr.index(h)].replace(',','') or 0)
        if v: b[2][h[6:]] += v
    tot[0]+=e; tot[1]+=s
tots=collections.Counter()
for b in byline.values(): tots.update(b[2])
print(" ".join(f"{k}:{v/tot[1]*100:.1f}" for k,v in tots.most_common(10)))
print(f"total inst {tot[0]:.0f} samples {tot[1]:.0f}")
for ln,(e,s,c) in sorted(byline.items(), key=lambda x: -x[1][1])[:45]:
    print(f"line {ln}: inst {e/tot[0]*100:5.1f}%  samp {s/tot[1]*100:5.1f}%  " + " ".join(f"{k}:{v/tot[1]*100:.1f}" for k,v in c.most_common(4)))
