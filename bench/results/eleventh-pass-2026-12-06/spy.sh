#!/bin/bash
# py-spy of the node at a fixed rate; $1 = room size, $2 = rate, $3 = tag
cd /work/main
size=$1; rate=$2; tag=$3
.venv/bin/python bench/compare.py --servers topicsflow --room-sizes $size --repetitions 1 \
    --skip-w2 --skip-w3 --skip-w4 --targets $rate,$rate,$rate,$rate,$rate --every-target \
    --step-seconds 10 --grace-seconds 1 --workdir-parent /dev/shm --server-source HEAD \
    --no-install --json /tmp/p11/$tag.json > /dev/null 2> /tmp/p11/$tag.err &
cpid=$!
for i in $(seq 1 300); do grep -q "ready" /tmp/p11/$tag.err 2>/dev/null && break; sleep 1; done
sleep 4
pid=$(pgrep -f -- "-m topicsflow serve" | head -1)
.venv/bin/py-spy record --format raw --rate 200 --duration 30 --threads --idle --nonblocking --pid $pid -o /tmp/p11/$tag.txt > /tmp/p11/$tag.spy.log 2>&1
wait $cpid
grep "W1 topicsflow" /tmp/p11/$tag.err | tail -8
