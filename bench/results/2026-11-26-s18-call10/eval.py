import json, re
from collections import defaultdict
meas=defaultdict(dict)
for r in map(json.loads, open('bench/results/2026-11-26-s18-call3/sweep.jsonl')):
    if r['knobs']!='auto': meas[(r['H'],1,r['T'])][int(r['knobs'].split('=')[1])]=r['graph_ms']
for f in ('call4','call6'):
    for r in map(json.loads, open(f'bench/results/2026-11-26-s18-{f}/ab.jsonl')):
        m=meas[(r['H'],r['B'],r['T'])]; m[r['L_a']]=r['ms_a']; m[r['L_b']]=r['ms_b']
def doubled(H,B,T,L):
    if L==0: return False
    nc=(T+15)//16; ns=-(-nc//L); n=H*B
    if ns<2: return False
    units=n*(2*ns-1)
    return 132<4*units<=264 and 4*n*ns>132   # split 2, working <= SMs < grid
def plans(fn):
    d={}
    for l in open(fn):
        m=re.match(r'H(\d+)\s+B(\d+) T(\d+)\s+seg L (\d+)',l); d[(int(m[1]),int(m[2]),int(m[3]))]=int(m[4])
    return d
old=plans('/tmp/probe/p2-before.txt'); a=plans('/tmp/probe/p2-new.txt'); b=plans('/tmp/probe/p2-v3.txt')
import math
for name,pl in (('s8 (3b8ac50)',old),('0d4c09f',a),('v3',b)):
    rs=[];unk=0;dbl=0
    for k,L in pl.items():
        m=meas.get(k)
        if not m: continue
        clean={l:t for l,t in m.items() if not doubled(*k,l)}
        if L not in m: unk+=1; continue
        if doubled(*k,L): dbl+=1; continue
        rs.append(m[L]/min(clean.values()))
    print(name,'n',len(rs),'mean %.4f max %.3f'%(sum(rs)/len(rs),max(rs)),'unmeasured',unk,'doubled-picks',dbl)
print('v3 picks vs 0d4c09f where changed:')
for k in sorted(b):
    if b[k]!=a[k]:
        m=meas.get(k,{})
        ta=m.get(a[k]); tb=m.get(b[k])
        print(k,a[k],'->',b[k], 'meas %s -> %s'%(ta,tb), 'dbl' if doubled(*k,b[k]) else '')
