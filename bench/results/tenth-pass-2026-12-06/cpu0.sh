#!/bin/bash
# sample /proc/stat cpu0/cpu1 and ksoftirqd/0, /1 and node threads every 5 s
cd /work/main
rate=$1
.venv/bin/python bench/compare.py --servers topicsflow --room-sizes 100 --repetitions 1 \
    --skip-w2 --skip-w3 --skip-w4 --targets $rate,$rate,$rate,$rate --every-target \
    --step-seconds 10 --grace-seconds 1 --workdir-parent /dev/shm --server-source HEAD \
    --no-install --json /tmp/prof/cpu0-$rate.json > /dev/null 2> /tmp/prof/cpu0-$rate.err &
cpid=$!
for i in $(seq 1 300); do grep -q "ready" /tmp/prof/cpu0-$rate.err 2>/dev/null && break; sleep 1; done
sleep 2
pid=$(pgrep -f -- "-m topicsflow serve" | head -1)
k0=$(pgrep -x ksoftirqd/0); k1=$(pgrep -x ksoftirqd/1)
for i in 1 2 3 4 5 6; do
  echo "T $(date +%s.%N)"
  grep -E "^cpu[01] " /proc/stat
  echo "k0 $(awk '{print $14, $15}' /proc/$k0/stat) k1 $(awk '{print $14, $15}' /proc/$k1/stat)"
  for t in /proc/$pid/task/*; do echo "thr $(basename $t) $(cat $t/comm | tr ' ' _) $(awk '{print $14, $15}' $t/stat)"; done
  sleep 5
done
wait $cpid
grep "W1 topicsflow" /tmp/prof/cpu0-$rate.err
