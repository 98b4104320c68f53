#!/bin/bash
# usage: ctx.sh REV NAME
cd /work/main
log=/tmp/exp/$2.log
.venv/bin/python bench/compare.py --servers topicsflow --room-sizes 100 --repetitions 1 --skip-w2 --skip-w3 --skip-w4 --targets 50000,50000,50000,50000 --every-target --step-seconds 10 --grace-seconds 1 --workdir-parent /dev/shm --server-source $1 --no-install --json /tmp/exp/$2.json > $log 2>&1 &
bp=$!
until grep -q "ready" $log; do sleep 0.5; done
sleep 3
pid=$(pgrep -f -- "-m topicsflow serve" | head -1)
snap() { for t in /proc/$pid/task/*; do echo "$(basename $t) $(awk '{print $14, $15}' $t/stat) $(grep ctxt $t/status | awk '{print $2}' | tr '\n' ' ')"; done; }
snap > /tmp/exp/$2.t0; sleep 20; snap > /tmp/exp/$2.t1
wait $bp
python3 - /tmp/exp/$2.t0 /tmp/exp/$2.t1 <<'PY'
import sys
def load(p):
    return {l.split()[0]: list(map(int, l.split()[1:])) for l in open(p)}
a,b=load(sys.argv[1]),load(sys.argv[2])
for k in b:
    if k in a:
        d=[y-x for x,y in zip(a[k],b[k])]
        if sum(d[:2])>5 or sum(d[2:])>100: print(k, "user %.2fs sys %.2fs vol_cs/s %d invol_cs/s %d" % (d[0]/100, d[1]/100, d[2]/20, d[3]/20))
PY
