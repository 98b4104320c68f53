# The young-generation threshold at 5,000 allocations instead of 20,000 (gc-threshold-env.patch,
# a throwaway commit reading XP_GC0), ours only, rooms of 100, alternated g20k-r1, g5k-r1,
# g20k-r2, g5k-r2, each the knee search of the full run with one repetition:
#   XP_GC0=N .venv/bin/python bench/compare.py --servers topicsflow --room-sizes 100 \
#     --repetitions 1 --step-seconds 2 --grace-seconds 1 --start-rate 2000 --skip-w2 --skip-w3 \
#     --skip-w4 --workdir-parent /dev/shm --server-source <that commit> --no-install --json FILE
# young-census.jsonl: every collection during one 10-second step at 50,000/s (700 connections),
#   with a census of the young generation before the first ones (young-census-hook.patch,
#   never kept): objects by type, their references, the largest containers.
