#!/bin/bash
# Runs JUnit test classes in the VM (JUnitInVm writes $VMLAB_OUT/junit.txt).
#   netlink-live.sh JAVA CLASSPATH CLASS...
set -euo pipefail
java=$1 cp=$2
shift 2
modprobe wireguard
# C1 only and the serial collector: under TCG the JIT's own work is most of a short run's cost
exec "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp "$cp" io.wirelink.vmlab.JUnitInVm \
  "$VMLAB_OUT/junit.txt" "$@"
