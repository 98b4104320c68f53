cd /work/main
TF_CENSUS_OUT=/tmp/census/census.json .venv/bin/python bench/compare.py --servers topicsflow --room-sizes 100 --repetitions 1 \
    --skip-w1 --skip-w3 --skip-w4 --idle-connections 2000 --hold-seconds 40 \
    --workdir-parent /dev/shm --server-source census-tmp --no-install --json /tmp/census/run.json > /tmp/census/log.txt 2>&1 &
until pid=$(pgrep -f "topicsflow serve --port 0"); do sleep 0.1; done
sleep 3
kill -USR1 $pid
sleep 25
kill -USR1 $pid
wait
echo done > /tmp/census/done
