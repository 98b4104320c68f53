#!/bin/bash
# usage: ab.sh TARGETS NAME REV...
targets=$1; name=$2; shift 2
cd /work/main
for round in 1 2; do
for rev in "$@"; do
  .venv/bin/python bench/compare.py --servers topicsflow --room-sizes ${ROOMS:-100} --repetitions 1 --skip-w2 --skip-w3 --skip-w4 --targets $targets --every-target --step-seconds 10 --grace-seconds 1 --workdir-parent /dev/shm --server-source $rev --no-install --json /tmp/exp/$name-$rev-r$round.json > /tmp/exp/$name-$rev-r$round.log 2>&1
done
done
echo done > /tmp/exp/$name.done
