#!/bin/bash
cd /tmp/p11
while [ ! -f /tmp/p11/batch2.done ]; do sleep 5; done
for r in 1 2 3; do for rev in cf7d9d0 494acb1; do ./fix.sh 100 50000,60000,50000,60000,80000 n100-$rev-r$r $rev > /dev/null; done; done
echo done > /tmp/p11/batch4.done
