# Stall samples and shared-memory wavefronts of the fused kernel by role (chain: code before USETMAXREG.DEALLOC; producers: after it) and by
# source line. Usage: nvdisasm --print-line-info of a local cubin of the same source to /tmp/all.sass, then
#   python3 ncu_roles.py fused-sass.csv
import csv, re, collections, sys
rows=list(csv.reader(open(sys.argv[1])))
hdr=rows[1]; data=rows[2:]
txt=open('/tmp/all.sass').read()
i=txt.find('_Z16kda_fused_kernelILi4ELi4EEv14prefill_params:'); j=txt.find('.text.', i+100)
cur=None; ins=[]
for l in txt[i:j].split('\n'):
    m=re.search(r'File "(.*?)", line (\d+)', l)
    if '## File' in l and m: cur=m.group(1).split('/')[-1]+':'+m.group(2); continue
    m=re.search(r'/\*([0-9a-f]{4,5})\*/\s+([^;]*);', l)
    if m: ins.append((int(m.group(1),16), m.group(2).strip(), cur))
def col(name): return hdr.index(name)
def f(r,name):
    v=r[col(name)].replace(',','')
    try: return float(v)
    except: return 0.0
dealloc=[a for a,t,c in ins if 'DEALLOC' in t][0]
stalls=[h for h in hdr if h.startswith('stall_') and 'Not Issued' not in h] if any(h.startswith('stall_') for h in hdr) else []
if not stalls: stalls=[h for h in hdr if 'Stall' in h or 'stall' in h][:0]

stalls=[h for h in hdr if h.startswith('stall_') and 'Not Issued' not in h]
role=lambda a: 'prod' if a>=dealloc else 'chain'
agg=collections.defaultdict(lambda: collections.Counter())
byline=collections.defaultdict(lambda: collections.Counter())
for r,(a,t,c) in zip(data,ins):
    R=role(a)
    s=f(r,'Warp Stall Sampling (All Samples)'); e=f(r,'Instructions Executed')
    agg[R]['samples']+=s; agg[R]['inst']+=e
    agg[R]['wf']+=f(r,'L1 Wavefronts Shared'); agg[R]['wfx']+=f(r,'L1 Wavefronts Shared Excessive')
    for h in stalls: agg[R][h[6:]]+=f(r,h)
    b=byline[(R,c)]; b['s']+=s; b['e']+=e; b['wfx']+=f(r,'L1 Wavefronts Shared Excessive'); b['wf']+=f(r,'L1 Wavefronts Shared')
    for h in stalls: b[h[6:]]+=f(r,h)
tot=sum(agg[R]['samples'] for R in agg)
for R in agg:
    A=agg[R]
    print(R, f"samples {A['samples']/tot*100:.1f}% inst {A['inst']:.0f} smem wavefronts {A['wf']:.0f} excessive {A['wfx']:.0f}")
    print("   ", " ".join(f"{k}:{A[k]/A['samples']*100:.1f}" for k,_ in sorted(((k,v) for k,v in A.items() if k not in ('samples','inst','wf','wfx')), key=lambda x:-x[1])[:9]))
print("top lines by samples")
for (R,c),b in sorted(byline.items(), key=lambda x:-x[1]['s'])[:28]:
    top=" ".join(f"{k}:{b[k]/tot*100:.1f}" for k,_ in sorted(((k,v) for k,v in b.items() if k not in ('s','e','wf','wfx')), key=lambda x:-x[1])[:3])
    print(f"{R:5s} line {c}: samp {b['s']/tot*100:5.1f}% inst {b['e']/1e6:6.2f}M wf {b['wf']/1e6:5.2f}M x {b['wfx']/1e6:5.2f}M  {top}")
print("by excessive smem wavefronts")
for (R,c),b in sorted(byline.items(), key=lambda x:-x[1]['wfx'])[:12]:
    print(f"{R:5s} line {c}: wf {b['wf']/1e6:5.2f}M excessive {b['wfx']/1e6:5.2f}M samp {b['s']/tot*100:4.1f}%")
