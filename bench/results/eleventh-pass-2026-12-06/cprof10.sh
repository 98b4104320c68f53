#!/bin/bash
cd /work/main
rev=$1; rate=$2
export PROFILE_OUT=/tmp/prof/node10-$rate.prof
.venv/bin/python bench/compare.py --servers topicsflow --room-sizes 10 --repetitions 1 \
    --skip-w2 --skip-w3 --skip-w4 --targets $rate,$rate,$rate --every-target \
    --step-seconds 10 --grace-seconds 1 --workdir-parent /dev/shm --server-source $rev \
    --no-install --json /tmp/prof/cprof10-$rate.json > /dev/null 2> /tmp/prof/cprof10-$rate.err &
cpid=$!
for i in $(seq 1 300); do grep -q "ready" /tmp/prof/cprof10-$rate.err 2>/dev/null && break; sleep 1; done
sleep 3
pid=$(pgrep -f -- "-m topicsflow serve" | head -1)
grep -c . /proc/$pid/environ >/dev/null
kill -USR1 $pid; sleep 10; kill -USR2 $pid
wait $cpid
grep "W1 topicsflow" /tmp/prof/cprof10-$rate.err
