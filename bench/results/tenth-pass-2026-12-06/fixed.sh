#!/bin/bash
# fixed-rate A/B: ours only, rooms of 100, 10-s steps
cd /work/main
A=$1; B=$2; TAG=$3; TARGETS=$4; ROUNDS=${5:-2}
for round in $(seq 1 $ROUNDS); do for rev in $A $B; do
  echo "start $rev r$round $(date +%T)"
  .venv/bin/python bench/compare.py --servers topicsflow --room-sizes 100 --repetitions 1 \
    --skip-w2 --skip-w3 --skip-w4 --targets $TARGETS --every-target --step-seconds 10 \
    --grace-seconds 1 --workdir-parent /dev/shm --server-source $rev --no-install \
    --json /tmp/ab/$TAG-$rev-r$round.json > /dev/null 2> /tmp/ab/$TAG-$rev-r$round.err
  echo "end $rev r$round $(date +%T) rc=$?"
done; done
