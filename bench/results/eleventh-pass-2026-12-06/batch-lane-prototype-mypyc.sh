#!/bin/bash
cd /tmp/p11
for r in 1 2; do for rev in cf7d9d0 34ebde6; do ./fix.sh 100 50000,60000,50000,60000,80000 l100-$rev-r$r $rev > /dev/null; done; done
for r in 1 2 3; do for rev in cf7d9d0 d1570c5; do ./fix.sh 10 5000,5000,5000,5000,5000 c10-$rev-r$r $rev > /dev/null; done; done
for rev in cf7d9d0 d1570c5; do ./fix.sh 100 50000,60000,50000,60000,80000 m100-$rev-r3 $rev > /dev/null; done
echo done > /tmp/p11/batch2.done
