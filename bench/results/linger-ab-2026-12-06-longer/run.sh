# Full knee searches, ours only, rooms of 100, node at a53241f, linger budget 10, 20 and 30 ms
# alternated, two rounds (the full comparison's step lengths and ladder).
for round in 1 2; do for ms in 10 20 30; do
  BENCH_TOPICSFLOW_BATCH_LINGER_MS=$ms .venv/bin/python bench/compare.py --servers topicsflow \
    --room-sizes 100 --repetitions 1 --step-seconds 2 --grace-seconds 1 --start-rate 2000 \
    --skip-w2 --skip-w3 --skip-w4 --workdir-parent /dev/shm --server-source a53241f --no-install \
    --json bench/results/linger-ab-2026-12-06-longer/linger-${ms}ms-r$round.json
done; done
