#!/bin/bash
# per-thread CPU of the node at a fixed rate; $1 room size, $2 rate, $3 tag, $4 rev
cd /work/main
size=$1; rate=$2; tag=$3; rev=${4:-HEAD}
.venv/bin/python bench/compare.py --servers topicsflow --room-sizes $size --repetitions 1 \
    --skip-w2 --skip-w3 --skip-w4 --targets $rate,$rate,$rate,$rate --every-target \
    --step-seconds 10 --grace-seconds 1 --workdir-parent /dev/shm --server-source $rev \
    --no-install --json /tmp/p11/$tag.json > /dev/null 2> /tmp/p11/$tag.err &
cpid=$!
for i in $(seq 1 300); do grep -q "ready" /tmp/p11/$tag.err 2>/dev/null && break; sleep 1; done
sleep 4
pid=$(pgrep -f -- "-m topicsflow serve" | head -1)
for i in 1 2 3 4 5 6 7; do
  echo "T $(date +%s.%N)"
  for t in /proc/$pid/task/*; do echo "thr $(basename $t) $(cat $t/comm | tr ' ' _) $(awk '{print $14, $15}' $t/stat)"; done
  sleep 5
done > /tmp/p11/$tag.thr
wait $cpid
grep "W1 topicsflow" /tmp/p11/$tag.err | tail -4
python3 - /tmp/p11/$tag.thr $rate $size <<'PY'
import sys
lines=open(sys.argv[1]).read().split('T ')[1:]
rate=int(sys.argv[2]); size=int(sys.argv[3]); posts=rate/size
snaps=[]
for block in lines:
    rows=block.strip().split('\n'); t=float(rows[0]); d={}
    for r in rows[1:]:
        _,tid,name,u,s=r.split(); d[tid]=(name,int(u),int(s))
    snaps.append((t,d))
for (t0,a),(t1,b) in zip(snaps,snaps[1:]):
    out=[]
    for tid,(name,u,s) in b.items():
        if tid in a:
            du=(u-a[tid][1])/100/(t1-t0); ds=(s-a[tid][2])/100/(t1-t0)
            if du+ds>0.005: out.append(f"{name}:{tid} u={du:.3f} s={ds:.3f} us/post={1e6*(du+ds)/posts:.0f}")
    print(' | '.join(out))
PY
