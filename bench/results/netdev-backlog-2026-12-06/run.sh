cd /work/main
snap() { awk '{print strtonum("0x"$2)}' /proc/net/softnet_stat | paste -sd, ; nstat -az 2>/dev/null | awk '/TcpRetransSegs|TcpExtTCPTimeouts |TcpExtTCPLossProbes /{printf "%s=%s ", $1, $2}'; echo; }
for round in 1 2; do for backlog in 1000 65536; do
  sysctl -qw net.core.netdev_max_backlog=$backlog
  { echo "before"; snap; } > /tmp/bl/net-$backlog-r$round.txt
  .venv/bin/python bench/compare.py --servers topicsflow --room-sizes 100 --repetitions 1 \
    --skip-w2 --skip-w3 --skip-w4 --targets 5000,30000,50000,30000,50000,30000,50000,1000000 \
    --step-seconds 10 --grace-seconds 1 --workdir-parent /dev/shm --server-source 6c411a1 \
    --no-install --json /tmp/bl/cpu-b$backlog-r$round.json > /tmp/bl/log-$backlog-$round.log 2>&1
  { echo "after"; snap; } >> /tmp/bl/net-$backlog-r$round.txt
done; done
sysctl -qw net.core.netdev_max_backlog=1000
echo done > /tmp/bl/done
