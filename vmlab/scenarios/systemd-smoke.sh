#!/bin/bash
# The systemd image's smoke test: the boot finishes, WireGuard loads, and a reboot keeps the disk's changes.
set -euo pipefail
state=$(systemctl is-system-running --wait || true)
echo "boot $VMLAB_BOOT: system $state"
[ "$state" = running ] || { systemctl --failed --no-pager; exit 1; }
modprobe wireguard
ip link add wg0 type wireguard && ip link del wg0
if [ "$VMLAB_BOOT" = 1 ]; then
  touch /var/lib/vmlab/smoke
  exit 194
fi
test -e /var/lib/vmlab/smoke
echo ok
