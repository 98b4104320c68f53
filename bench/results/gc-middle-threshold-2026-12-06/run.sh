cd /work/main
for round in 1 2 3; do for source in 175892b 6f97a44; do
  .venv/bin/python bench/compare.py --servers topicsflow --room-sizes 100 --repetitions 1 \
    --skip-w2 --skip-w3 --skip-w4 --targets 5000,30000,50000,30000,50000,30000,50000,1000000 \
    --step-seconds 10 --grace-seconds 1 --workdir-parent /dev/shm --server-source $source \
    --no-install --json /tmp/gc1/cpu-$source-r$round.json > /tmp/gc1/log-$source-$round.log 2>&1
done; done
echo done > /tmp/gc1/done
