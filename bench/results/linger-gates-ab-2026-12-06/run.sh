# Two batching policies tried against the default, ours only, rooms of 100, the knee search
# of the full run with one repetition per file:
#   .venv/bin/python bench/compare.py --servers topicsflow --room-sizes 100 --repetitions 1 \
#     --step-seconds 2 --grace-seconds 1 --start-rate 2000 --skip-w2 --skip-w3 --skip-w4 \
#     --workdir-parent /dev/shm --server-source SOURCE --no-install --json FILE
# 1. The busy gate at a process CPU share of 0.45 instead of 0.7 (busy-share-env.patch, a
#    throwaway commit reading XP_BUSY_SHARE): s070-r1, s045-r1, s070-r2, s045-r2 in that order.
# 2. A budget three times the kind's (30 ms) while the event loop is saturated, busy >= 0.9
#    of the last quarter second (saturated-linger.patch, 5f7796b): base-r1 (937b3e4), sat-r1
#    (5f7796b), base-r2, sat-r2 in that order; base-r1 ran while unit tests ran on the same
#    machine (not comparable). Then fixed steps where the loop saturates:
#      --targets 60000,90000,120000,150000 --step-seconds 10 (hib-N: 937b3e4, his-N: 5f7796b)
#    alternated hib-1, his-1, hib-2, his-2 (a run stops at its first step over 200 ms).
