# Where the event loop's time goes near the knee (ours only, rooms of 100).
# batch-durations.log: per second, the loop's batches (the runs of tasks between two I/O
#   waits): how many, their share of wall time (busy), mean/median/p99/max length and the
#   runnable tasks at each batch's start. A throwaway trio instrument (batch-instrument.patch,
#   on 937b3e4, never kept) wrote it while this ran (batch-durations-run.json):
.venv/bin/python bench/compare.py --servers topicsflow --room-sizes 100 --repetitions 1 \
  --skip-w2 --skip-w3 --skip-w4 --targets 30000,50000,70000,30000,50000,70000 \
  --step-seconds 10 --grace-seconds 1 --workdir-parent /dev/shm --server-source instr-tmp \
  --no-install --json batch-durations-run.json
# knee-search.json: the node's own busy-seconds counter (81f8e94, supervisors/loop_load.py),
#   read by W1 before and after each step (server_loop_busy_share), over a knee search:
.venv/bin/python bench/compare.py --servers topicsflow --room-sizes 100 --repetitions 2 \
  --step-seconds 2 --grace-seconds 1 --start-rate 2000 --skip-w2 --skip-w3 --skip-w4 \
  --workdir-parent /dev/shm --server-source 81f8e94 --no-install \
  --json bench/results/loop-busy-2026-12-06/knee-search.json
