# py-spy of our node in steady steps (ours only, rooms of 100, node at a53241f). compare.py ran
#   .venv/bin/python bench/compare.py --servers topicsflow --room-sizes 100 --repetitions 1 \
#     --skip-w2 --skip-w3 --skip-w4 --targets RATE,RATE,RATE,RATE[,RATE] --step-seconds 10 \
#     --grace-seconds 1 --workdir-parent /dev/shm --server-source a53241f --no-install --json RUN.json
# with RATE 50000 (py-spy-50k*) and 10000 (py-spy-10k*); 3 s after the loadgen's "ready" line:
#   py-spy record --pid <the node's pid> --format raw --rate 200 --duration 40 (30 at 10,000/s) \
#     --threads --idle --nonblocking --output py-spy-RATE.txt
# knee-60k-110k.json: the same compare.py command with
#   --targets 5000,60000,70000,80000,90000,100000,110000,1000000 --server-source HEAD (a53241f)
# calls-per-post.txt: cProfile of the event-loop thread, 10 s of a 10,000/s step (--targets
#   10000,10000,10000), node at a53241f plus a temporary SIGUSR1/SIGUSR2 cProfile hook (never
#   committed), summarised per post (calls of ChatRoomActor._prepare_post).
