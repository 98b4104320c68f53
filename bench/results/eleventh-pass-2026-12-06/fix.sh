#!/bin/bash
# fixed-rate steps, ours only; $1 room size, $2 targets, $3 tag, $4 rev; env BENCH_TOPICSFLOW_* passes through
cd /work/main
.venv/bin/python bench/compare.py --servers topicsflow --room-sizes $1 --repetitions 1 \
    --skip-w2 --skip-w3 --skip-w4 --targets $2 --every-target --step-seconds 10 \
    --grace-seconds 1 --workdir-parent /dev/shm --server-source ${4:-HEAD} --no-install \
    --json /tmp/p11/$3.json > /dev/null 2> /tmp/p11/$3.err
grep "offered" /tmp/p11/$3.err | sed 's/W1 topicsflow //'
