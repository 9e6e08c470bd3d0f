import json, math, itertools
from collections import defaultdict
meas=defaultdict(dict)
for r in map(json.loads, open('bench/results/2026-11-26-s18-call3/sweep.jsonl')):
    if r['knobs']!='auto': meas[(r['H'],1,r['T'])][int(r['knobs'].split('=')[1])]=r['graph_ms']
for r in map(json.loads, open('bench/results/2026-11-26-s18-call4/ab.jsonl')):
    m=meas[(r['H'],r['B'],r['T'])]; m[r['L_a']]=r['ms_a']; m[r['L_b']]=r['ms_b']
SMS=132; CG=16
def fmodel(occ,p):
    if occ<=p['o1']: return 1+p['a']*occ*occ
    if occ<=1.0: return p['f1']
    return p['fk']*math.ceil(occ)
def model(H,B,T,L,p):
    nc=(T+15)//16
    ns=(nc+L-1)//L if nc>L else 1
    last=nc-(ns-1)*L; depth=min(nc,L)
    ctas=(ns-2)*((L+CG-1)//CG)+(last+CG-1)//CG if ns>1 else 0
    lunits=(2*(ns-1)-1 if ns>1 and 2*L>=depth else 0)+((2 if ns>1 else 1) if 2*last>=depth else 0)
    lunits*=H*B; ctas*=B
    waves=math.ceil(ctas*H/(2.0*SMS))
    return p['c32']*depth*0.575*fmodel(8.0*lunits/(4.0*SMS),p)+(p['w']*waves+p['c']*ns if ns>1 else 0)
def plan(H,B,T,p):
    maxch=(T+15)//16
    if B*H>=SMS: return 0
    best=None; seen=set(); off=None
    for k in range(1,129):
        L=(maxch+k-1)//k; L+=L&1
        if k>1 and (L>=maxch or L in seen): continue
        seen.add(L); us=model(H,B,T,L,p)
        if k==1: off=us
        if best is None or us<best[0]: best=(us,L)
    if best[0]>0.9*off: return 0
    return best[1] if best[1]<maxch else 0
def evaluate(p,verbose=False):
    rs=[]; unk=0
    for key,m in sorted(meas.items()):
        L=plan(*key,p); best=min(m.values())
        if L in m: rs.append(m[L]/best)
        else:
            unk+=1
            if verbose: print(key,'unmeasured pick',L)
            continue
        if verbose and m[L]/best>1.02: print(key,'pick',L,'%.3f'%(m[L]/best),{k:round(v,3) for k,v in sorted(m.items())})
    return sum(rs)/len(rs), max(rs), unk, len(rs)
P0=dict(o1=0.92,a=0.25,f1=1.75,fk=0.95,c32=0.87,w=25.0,c=4.5)
print('old',evaluate(P0))
res=[]
for o1 in (0.86,0.88,0.9,0.92):
  for a in (0,0.1,0.25):
    for f1 in (1.5,1.75,1.9):
      for fk in (0.9,0.95,1.0,1.05,1.15):
        for c32 in (0.8,0.87):
          p=dict(o1=o1,a=a,f1=f1,fk=fk,c32=c32,w=25.0,c=4.5)
          m,x,u,n=evaluate(p); res.append((u,m,x,o1,a,f1,fk,c32))
res.sort(key=lambda r:(r[0]>3, r[1]))
for r in res[:12]: print(r)
print('----')
P1=dict(o1=0.88,a=0.0,f1=1.75,fk=0.95,c32=0.8,w=25.0,c=4.5)
print(evaluate(P1,True))
print('old verbose'); print(evaluate(P0,True))
