import heapq
lens=[1300,547,2048,963,271,3063]; H=16; SMS=132
ch=sorted([(l+15)//16 for l in lens],reverse=True)
def sim(rate, step, order="edf", ctas_per_sm=1, t0=2.0):
    # records list
    recs=[(u,c) for u,n in enumerate(ch) for c in range(n)]
    if order=="edf": recs.sort(key=lambda r:(-(ch[r[0]]-r[1]), r[0]))
    else: recs.sort(key=lambda r:(r[1],r[0]))
    ready={}
    t=t0
    for (u,c) in recs:
        t+=H/rate  # 16 heads of this (u,c)
        ready[(u,c)]=t
    prep_end=t
    # chain CTAs: 2 per (unit, head), longest first; slots = SMS*ctas_per_sm
    ctas=[u for u in range(len(ch)) for h in range(H) for s in range(2)]
    slots=[0.0]*(SMS*ctas_per_sm); heapq.heapify(slots)
    end=0
    for u in ctas:
        st=heapq.heappop(slots)
        tt=st
        for c in range(ch[u]):
            tt=max(tt, ready[(u,c)])+step
        heapq.heappush(slots,tt); end=max(end,tt)
    return prep_end,end
for rate in (107,79,60,46):
    for step in (0.633,0.75,0.9):
        for order in ("edf","cmaj"):
            pe,e=sim(rate,step,order)
            print(f"rate {rate:4d} rec/us step {step:.3f} {order:5s}: prep end {pe:6.1f} us, chains end {e:6.1f} us")
