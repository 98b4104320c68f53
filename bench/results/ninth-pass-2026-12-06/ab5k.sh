#!/bin/bash
cd /work/main
for round in 1 2; do for rev in 59945a3 1f48946; do
.venv/bin/python bench/compare.py --servers topicsflow --room-sizes 100 --repetitions 1 --skip-w2 --skip-w3 --skip-w4 --targets 2000,3000,5000,5000,5000,5000,5000,5000 --every-target --step-seconds 2 --grace-seconds 1 --workdir-parent /dev/shm --server-source $rev --no-install --json /tmp/exp/p5k-$rev-r$round.json > /tmp/exp/p5k-$rev-r$round.log 2>&1
done; done
echo done > /tmp/exp/p5k.done
