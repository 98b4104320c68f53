# The fourth full run's JSON is bench/results/compare-2026-12-06-issue26-fourth-run.json
# (command in docs/BENCHMARKS.md, "Issue 26, eighth pass").
#
# py-spy-50k.txt: our node at 50c1566 in fixed 10-second steps at 50,000/s, rooms of 100:
.venv/bin/python bench/compare.py --servers topicsflow --room-sizes 100 --repetitions 1 \
    --skip-w2 --skip-w3 --skip-w4 --targets 50000,50000,50000,50000,50000 --every-target \
    --step-seconds 10 --grace-seconds 1 --workdir-parent /dev/shm --server-source 50c1566 \
    --no-install --json py-spy-50k-run.json &
# then, 3 s after the loadgen's "ready" line on its standard error:
#   py-spy record --pid "$(pgrep -f -- '-m topicsflow serve')" --format raw --rate 200 \
#     --duration 30 --threads --idle --nonblocking --output py-spy-50k.txt
# and the summary (also of the fifth pass's profile, for the bracketed figures):
#   python3 where_the_loop_goes.py py-spy-50k.txt
#   python3 where_the_loop_goes.py ../per-post-cost-2026-12-06/py-spy-50k.txt
