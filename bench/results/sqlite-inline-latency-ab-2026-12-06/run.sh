# The SQLite worker's hop and latency: every store job run inline on the event loop's thread
# (inline.patch, throwaway, XP_INLINE=1 XP_SYNC=FULL, the node's synchronous level) against
# the worker (the same commit without XP_INLINE), ours only, rooms of 100, the knee search of
# the full run, alternated w-r1, i-r1, w-r2, i-r2:
#   [XP_INLINE=1 XP_SYNC=FULL] .venv/bin/python bench/compare.py --servers topicsflow \
#     --room-sizes 100 --repetitions 1 --step-seconds 2 --grace-seconds 1 --start-rate 2000 \
#     --skip-w2 --skip-w3 --skip-w4 --workdir-parent /dev/shm --server-source <that commit> \
#     --no-install --json FILE
