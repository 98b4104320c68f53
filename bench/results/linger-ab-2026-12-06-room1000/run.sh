# Ours only, rooms of 1,000, node at a53241f, linger budget 10 ms (the default) and 0 ms,
# alternated, two rounds of fixed 5-second steps.
for round in 1 2; do for ms in 10 0; do
  BENCH_TOPICSFLOW_BATCH_LINGER_MS=$ms .venv/bin/python bench/compare.py --servers topicsflow \
    --room-sizes 1000 --repetitions 1 \
    --targets 5000,50000,100000,200000,300000,100000,200000,300000,1000000 --step-seconds 5 \
    --grace-seconds 1 --skip-w2 --skip-w3 --skip-w4 --workdir-parent /dev/shm \
    --server-source a53241f --no-install \
    --json bench/results/linger-ab-2026-12-06-room1000/linger-${ms}ms-r$round.json
done; done
