# Alternated, two rounds: the node at a53241f against a throwaway commit on top of it (never
# kept) whose SqliteWorker.run ran each job inline on the event loop's thread (one connection
# opened with check_same_thread=False, the same _commit) instead of handing it to the worker.
for round in 1 2; do for source in a53241f inline-tmp; do
  .venv/bin/python bench/compare.py --servers topicsflow --room-sizes 100 --repetitions 1 \
    --skip-w2 --skip-w3 --skip-w4 --targets 10000,50000,10000,50000,10000,50000 \
    --step-seconds 10 --grace-seconds 1 --workdir-parent /dev/shm --server-source $source \
    --no-install --json bench/results/sqlite-inline-ab-2026-12-06/$source-r$round.json
done; done
