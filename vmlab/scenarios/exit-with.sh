#!/bin/bash
# The harness's own test: writes its arguments to $VMLAB_OUT/args.txt, then exits with the first one (or, given
# "sleep", sleeps past any timeout).
printf '%s\n' "$@" > "$VMLAB_OUT/args.txt"
echo "kernel $(uname -r), kind $VMLAB_KIND, root on $(findmnt -n -o FSTYPE /)"
[ "$1" = sleep ] && exec sleep 100000
exit "$1"
