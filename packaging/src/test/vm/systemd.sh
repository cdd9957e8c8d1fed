#!/bin/bash
# The systemd scenario, run by vmlab's systemd image (vmlab/vm runimg) with the package in $VMLAB_FILES:
#   boot 1: install the .deb offline; a hub (namespace "hub", interface wghub) and a leaf (namespace "b", wgb) on
#           kernel WireGuard, each run by wirelink@ with NetworkNamespacePath (interfaces wg-quick does not manage);
#           this host is a leaf with only the hub in /etc/wireguard/wg0.conf: systemctl enable --now wg-quick@wg0
#           wl-quick@wg0. Checks: READY; the leaf learns b from the hub and pings it directly (the hub does not
#           forward); reload re-reads the config without a restart; kill -9 is restarted; a package upgrade
#           restarts the agent and leaves wg0 alone; stop leaves the unit inactive, not failed. Then reboot.
#   boot 2: both units came back by themselves and the agent replayed its fact log; wirelink@wg1 on a hand-made
#           interface; no key in the journal; remove leaves wg0, its peers and /etc/wireguard alone; purge deletes
#           the state.
# Prints "[t ms] ..." progress and writes $VMLAB_OUT/systemd.txt (key=value: timings and evidence).
# Exit 0 when every check passed, 1 on the first that failed, 194 to ask vmlab for the reboot.
set -euo pipefail
out=${VMLAB_OUT:-/tmp}
result=$out/systemd.txt
boot=${VMLAB_BOOT:-1}
keys=/root/keys
t0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - t0) / 1000000 )); }
say() { echo "[$(ms) ms] $*"; }
record() { echo "$1=$2" >> "$result"; say "$1=$2"; }
fail() {
  say "FAIL: $*"
  systemctl --no-pager status 'wl-quick@*' 'wirelink@*' 'wg-quick@*' 2>&1 | tail -n 60 || true
  wg show 2>&1 || true
  journalctl -b --no-pager -u 'wl-quick@*' -u 'wirelink@*' 2>&1 | tail -n 60 || true
  exit 1
}
# waits up to $1 seconds for the command after it to succeed
wait_for() {
  local secs=$1; shift
  local deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}
prop() { systemctl show -p "$2" --value "$1"; }
# a monotonic timestamp property (usec) in ms
prop_ms() { local v; v=$(prop "$1" "$2"); echo $(( ${v:-0} / 1000 )); }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
handshook() { # handshook [NS] IFACE PUBKEY
  local ns=() ; if [ $# -eq 3 ]; then ns=(ip netns exec "$1"); shift; fi
  "${ns[@]}" wg show "$1" latest-handshakes | awk -v k="$2" '$1 == k && $2 > 0 {f=1} END {exit !f}'
}
has_linklocal() { ip -6 addr show dev "$1" | grep -q 'inet6 fe80::'; }
has_peer() { wg show "$1" peers | grep -qxF "$2"; }
active() { [ "$(prop "$1" ActiveState)" = active ]; }
# the wg0 agent's log lines in this boot
agent_log() { journalctl -b --no-pager -o cat -u wl-quick@wg0; }
logged() { agent_log | grep -qF "$1"; }
# a new main process (not $1) is READY
restarted_from() {
  local now; now=$(prop wl-quick@wg0 MainPID)
  [ "$now" != "$1" ] && [ "$now" != 0 ] && active wl-quick@wg0
}

boot1() {
  : > "$result"
  record kernel "$(uname -r)"
  # the regression this guards: kernel WireGuard, so wireguard-go's /run/wireguard does not exist
  [ ! -e /run/wireguard ] || fail "/run/wireguard exists before any wireguard-go ran"

  local deb t
  deb=$(ls "$VMLAB_FILES"/wirelink_*_all.deb)
  t=$(now_ms)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" > "$out/apt-install.log" 2>&1 \
    || { cat "$out/apt-install.log"; fail "apt install of the package failed"; }
  record install_ms $(( $(now_ms) - t ))
  record package "$(dpkg-query -W -f='${Package} ${Version} ${Status}' wirelink)"
  t=$(now_ms)
  wirelink --version > "$out/version.txt" || fail "wirelink --version failed"
  record version_ms $(( $(now_ms) - t ))
  record version "$(cat "$out/version.txt")"
  [ "$(systemctl show -p FragmentPath --value wl-quick@wg0)" = /lib/systemd/system/wl-quick@.service ] \
    || fail "wl-quick@wg0 does not load from /lib/systemd/system"

  # underlay: a bridge in this namespace (192.0.2.1), the hub (.2) and leaf b (.3) in namespaces
  modprobe wireguard
  ip link add br0 type bridge
  ip addr add 192.0.2.1/24 dev br0
  ip link set br0 up
  mkdir -p "$keys"; chmod 700 "$keys"
  local n i=2
  for n in hub b; do
    ip netns add "$n"
    ip link add "v-$n" type veth peer name eth0 netns "$n"
    ip link set "v-$n" master br0 up
    ip -n "$n" link set lo up
    ip -n "$n" addr add "192.0.2.$i/24" dev eth0
    ip -n "$n" link set eth0 up
    i=$((i + 1))
  done
  for n in a hub b; do
    (umask 077; wg genkey > "$keys/$n.key")
    wg pubkey < "$keys/$n.key" > "$keys/$n.pub"
  done
  (umask 077; wg genpsk > "$keys/a-hub.psk")
  local a_pub hub_pub b_pub
  a_pub=$(cat "$keys/a.pub") hub_pub=$(cat "$keys/hub.pub") b_pub=$(cat "$keys/b.pub")

  # the hub knows both leaves' keys and /32s; it must not forward, so a ping between the leaves proves direct
  ip netns exec hub sysctl -q -w net.ipv4.ip_forward=0
  ip -n hub link add wghub type wireguard
  ip netns exec hub wg set wghub private-key "$keys/hub.key" listen-port 51820 \
    peer "$a_pub" preshared-key "$keys/a-hub.psk" allowed-ips 198.18.0.1/32 \
    peer "$b_pub" allowed-ips 198.18.0.3/32
  ip -n hub addr add 198.18.0.2/24 dev wghub
  ip -n hub link set wghub up
  # leaf b knows only the hub
  ip -n b link add wgb type wireguard
  ip netns exec b wg set wgb private-key "$keys/b.key" listen-port 51820 \
    peer "$hub_pub" endpoint 192.0.2.2:51820 allowed-ips 198.18.0.0/24 persistent-keepalive 25
  ip -n b addr add 198.18.0.3/24 dev wgb
  ip -n b link set wgb up
  # the JVM under emulation starts 12-25x slower than on hardware, slower still on a busy host: the units' start
  # timeout (90 s by default) is scaled to match; nothing else in them changes
  local unit
  for unit in wl-quick@wg0 wirelink@wghub wirelink@wgb wirelink@wg1; do
    mkdir -p "/etc/systemd/system/$unit.service.d"
    printf '[Service]\nTimeoutStartSec=600\n' > "/etc/systemd/system/$unit.service.d/emulation.conf"
  done
  for n in hub b; do
    printf '[Service]\nNetworkNamespacePath=/run/netns/%s\n' "$n" > "/etc/systemd/system/wirelink@wg$n.service.d/netns.conf"
  done
  systemctl daemon-reload
  t=$(now_ms)
  systemctl start wirelink@wghub wirelink@wgb || fail "wirelink@wghub/wgb did not start"
  record ns_agents_ready_ms $(( $(now_ms) - t ))

  # this host: a leaf that wg-quick brings up with only the hub
  (umask 077; cat > /etc/wireguard/wg0.conf <<EOF
[Interface]
PrivateKey = $(cat "$keys/a.key")
ListenPort = 51820
Address = 198.18.0.1/24

[Peer]
PublicKey = $hub_pub
PresharedKey = $(cat "$keys/a-hub.psk")
Endpoint = 192.0.2.2:51820
AllowedIPs = 198.18.0.0/24
PersistentKeepalive = 25
EOF
)
  t=$(now_ms)
  systemctl enable --now wg-quick@wg0 wl-quick@wg0 > "$out/enable.log" 2>&1 \
    || { cat "$out/enable.log"; fail "systemctl enable --now wg-quick@wg0 wl-quick@wg0 failed"; }
  local t_ready; t_ready=$(now_ms)
  active wl-quick@wg0 || fail "wl-quick@wg0 is $(prop wl-quick@wg0 ActiveState) after enable --now"
  # Type=notify: active means the agent sent READY=1
  [ "$(prop wl-quick@wg0 Type)" = notify ] || fail "wl-quick@wg0 is not Type=notify"
  record enable_to_ready_ms $(( t_ready - t ))
  record exec_to_ready_ms $(( $(prop_ms wl-quick@wg0 ActiveEnterTimestampMonotonic) - $(prop_ms wl-quick@wg0 ExecMainStartTimestampMonotonic) ))
  record status_text "$(prop wl-quick@wg0 StatusText)"
  record memory_current_mb $(( $(prop wl-quick@wg0 MemoryCurrent) / 1048576 ))

  # the leaf learns b from the hub, handshakes with it directly and pings it
  wait_for 120 handshook wg0 "$hub_pub" || fail "wg0 never handshook with the hub"
  record hub_handshake_ms $(( $(now_ms) - t_ready ))
  wait_for 240 has_peer wg0 "$b_pub" || fail "the leaf never learned b from the hub"
  record learned_b_ms $(( $(now_ms) - t_ready ))
  wait_for 180 handshook wg0 "$b_pub" || fail "the leaf never handshook with b"
  record direct_handshake_ms $(( $(now_ms) - t_ready ))
  wait_for 60 ping -c 1 -W 2 198.18.0.3 || fail "the leaf cannot ping b at 198.18.0.3"
  record ping_b_ms $(( $(now_ms) - t_ready ))
  ping -c 3 -i 0.3 -W 2 198.18.0.3 > "$out/ping-b.txt" || fail "ping b: $(cat "$out/ping-b.txt")"
  record endpoint_b "$(wg show wg0 endpoints | awk -v k="$b_pub" '$1 == k {print $2}')"
  record hub_forwarding "$(ip netns exec hub sysctl -n net.ipv4.ip_forward)"
  # the namespaces' agents have served; stopping them (inactive, not failed) leaves the VM's CPU to the checks below
  systemctl stop wirelink@wghub wirelink@wgb
  for n in hub b; do
    [ "$(prop "wirelink@wg$n" ActiveState)/$(prop "wirelink@wg$n" Result)" = inactive/success ] \
      || fail "stopping wirelink@wg$n left it $(prop "wirelink@wg$n" ActiveState)/$(prop "wirelink@wg$n" Result)"
  done

  # reload: a config file appears that names the hub; the same process reads it
  local pid; pid=$(prop wl-quick@wg0 MainPID)
  cat > /etc/wireguard/wirelink.wg0.yaml <<EOF
peers:
  - publicKey: $hub_pub
    name: the-hub
    trust: Membership
EOF
  t=$(now_ms)
  systemctl reload wl-quick@wg0 || fail "systemctl reload failed"
  wait_for 60 logged 'configuration reloaded from /etc/wireguard/wirelink.wg0.yaml' \
    || fail "no 'configuration reloaded' line after systemctl reload"
  record reload_ms $(( $(now_ms) - t ))
  [ "$(prop wl-quick@wg0 MainPID)" = "$pid" ] || fail "reload restarted the agent (MainPID $pid -> $(prop wl-quick@wg0 MainPID))"
  active wl-quick@wg0 || fail "not active after reload"
  wirelink show --iface wg0 > "$out/show.txt" 2>&1 || { cat "$out/show.txt"; fail "wirelink show failed"; }
  grep -qF the-hub "$out/show.txt" || { cat "$out/show.txt"; fail "wirelink show does not name the hub after reload"; }
  record reload_same_pid "$pid"

  # kill -9: systemd restarts it, and it comes back READY with its facts replayed
  local restarts; restarts=$(prop wl-quick@wg0 NRestarts)
  t=$(now_ms)
  kill -KILL "$pid"
  wait_for 600 restarted_from "$pid" \
    || fail "wl-quick@wg0 was not restarted after kill -9 (state $(prop wl-quick@wg0 ActiveState))"
  record kill9_to_ready_ms $(( $(now_ms) - t ))
  [ "$(prop wl-quick@wg0 NRestarts)" -gt "$restarts" ] || fail "NRestarts did not grow"
  record nrestarts "$(prop wl-quick@wg0 NRestarts)"
  record replayed_after_kill "$(agent_log | grep -o '[0-9]* facts replayed' | tail -n1)"

  # upgrade (the same package again): the running agent is restarted, wg0 and its peers are untouched
  local ifindex peers_before; ifindex=$(cat /sys/class/net/wg0/ifindex); peers_before=$(wg show wg0 peers | sort)
  pid=$(prop wl-quick@wg0 MainPID)
  t=$(now_ms)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall "$deb" > "$out/apt-upgrade.log" 2>&1 \
    || { cat "$out/apt-upgrade.log"; fail "reinstalling the package failed"; }
  record upgrade_ms $(( $(now_ms) - t ))
  active wl-quick@wg0 || fail "wl-quick@wg0 is $(prop wl-quick@wg0 ActiveState) after the upgrade"
  [ "$(prop wl-quick@wg0 MainPID)" != "$pid" ] || fail "the upgrade did not restart the agent"
  [ "$(cat /sys/class/net/wg0/ifindex)" = "$ifindex" ] || fail "the upgrade recreated wg0"
  active wg-quick@wg0 || fail "wg-quick@wg0 is not active after the upgrade"
  [ "$(wg show wg0 peers | sort)" = "$peers_before" ] || fail "the upgrade changed wg0's peers"
  record upgrade "agent restarted (pid $pid -> $(prop wl-quick@wg0 MainPID)), wg0 kept (ifindex $ifindex, $(echo "$peers_before" | wc -l) peers)"

  # stop: inactive, not failed
  t=$(now_ms)
  systemctl stop wl-quick@wg0
  record stop_ms $(( $(now_ms) - t ))
  record stop_state "$(prop wl-quick@wg0 ActiveState)/$(prop wl-quick@wg0 Result) exit $(prop wl-quick@wg0 ExecMainStatus)"
  [ "$(prop wl-quick@wg0 ActiveState)" = inactive ] || fail "stop left wl-quick@wg0 $(prop wl-quick@wg0 ActiveState)"
  [ "$(prop wl-quick@wg0 Result)" = success ] || fail "stop left Result=$(prop wl-quick@wg0 Result)"
  # SuccessExitStatus=143 only forgives a JVM stopped before its handler is installed: the agent itself exits 0
  [ "$(prop wl-quick@wg0 ExecMainStatus)" = 0 ] || fail "the agent exited $(prop wl-quick@wg0 ExecMainStatus) on SIGTERM, not 0"
  has_peer wg0 "$hub_pub" || fail "stopping the agent took the hub off wg0"
  active wg-quick@wg0 || fail "stopping wl-quick@wg0 stopped wg-quick@wg0"
  record facts_before_reboot "$(stat -c %s /var/lib/wirelink/wg0.facts) bytes"
  sync
  say "rebooting"
  exit 194
}

boot2() {
  # the job runs after multi-user.target, which waits for the enabled units to be READY
  wait_for 300 active wl-quick@wg0 || fail "wl-quick@wg0 did not come back after the reboot"
  active wg-quick@wg0 || fail "wg-quick@wg0 did not come back after the reboot"
  record reboot_units "wg-quick@wg0 $(prop wg-quick@wg0 ActiveState), wl-quick@wg0 $(prop wl-quick@wg0 ActiveState)"
  local boot_us; boot_us=$(awk '{print int($1 * 1000)}' /proc/uptime)
  record uptime_at_check_ms "$boot_us"
  record reboot_ready_monotonic_ms "$(prop_ms wl-quick@wg0 ActiveEnterTimestampMonotonic)"
  local replayed; replayed=$(agent_log | grep -o '[0-9]* facts replayed' | head -n1)
  record replayed_after_reboot "$replayed"
  [ -n "$replayed" ] && [ "${replayed%% *}" -gt 0 ] || fail "the agent replayed no facts after the reboot ('$replayed')"

  # wirelink@ on an interface that wg-quick does not manage, in this namespace
  ip link add wg1 type wireguard
  (umask 077; wg genkey > "$keys/wg1.key")
  # not 51821: that is wg0's gossip port (listen port + 1)
  wg set wg1 private-key "$keys/wg1.key" listen-port 51830
  ip link set wg1 up
  local t; t=$(now_ms)
  systemctl start wirelink@wg1 || fail "wirelink@wg1 did not start"
  record wirelink_wg1_ready_ms $(( $(now_ms) - t ))
  active wirelink@wg1 || fail "wirelink@wg1 is $(prop wirelink@wg1 ActiveState)"
  [ -S /run/wirelink/wg1.sock ] || fail "wirelink@wg1 has no control socket"
  wait_for 30 has_linklocal wg1 || fail "wirelink@wg1 added no link-local address"
  systemctl stop wirelink@wg1
  [ "$(prop wirelink@wg1 Result)" = success ] || fail "stopping wirelink@wg1: Result=$(prop wirelink@wg1 Result)"
  record wirelink_wg1 "active with control socket and link-local address; stop $(prop wirelink@wg1 ActiveState)/$(prop wirelink@wg1 Result)"

  # no key material in the journal, all boots
  journalctl --no-pager -o cat > "$out/journal-all.txt"
  local k found=0
  for k in "$keys"/*.key "$keys"/*.psk; do
    if grep -qF "$(cat "$k")" "$out/journal-all.txt"; then say "key $(basename "$k") is in the journal"; found=1; fi
  done
  [ "$found" = 0 ] || fail "key material in the journal"
  record journal_keys "none of $(ls "$keys"/*.key "$keys"/*.psk | wc -l) keys in $(wc -l < "$out/journal-all.txt") journal lines"
  rm -f "$out/journal-all.txt"

  # remove: agents stop, the interface, its peers, the config and the state stay
  local hub_pub; hub_pub=$(cat "$keys/hub.pub")
  DEBIAN_FRONTEND=noninteractive apt-get remove -y -q wirelink > "$out/apt-remove.log" 2>&1 \
    || { cat "$out/apt-remove.log"; fail "apt remove failed"; }
  [ "$(prop wl-quick@wg0 ActiveState)" != active ] || fail "the agent still runs after remove"
  active wg-quick@wg0 || fail "remove stopped wg-quick@wg0"
  has_peer wg0 "$hub_pub" || fail "remove took the hub off wg0"
  [ -f /etc/wireguard/wg0.conf ] && [ -f /etc/wireguard/wirelink.wg0.yaml ] || fail "remove touched /etc/wireguard"
  [ -f /var/lib/wirelink/wg0.facts ] || fail "remove deleted the fact log"
  record remove "agent stopped; wg0 up with $(wg show wg0 peers | wc -l) peers; /etc/wireguard and /var/lib/wirelink kept"

  # purge: the state goes, the config stays
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -q wirelink > "$out/apt-purge.log" 2>&1 \
    || { cat "$out/apt-purge.log"; fail "apt purge failed"; }
  [ ! -e /var/lib/wirelink ] || fail "purge left /var/lib/wirelink"
  [ ! -e /var/cache/wirelink ] || fail "purge left /var/cache/wirelink (the launcher's class-data archives)"
  [ -f /etc/wireguard/wg0.conf ] || fail "purge deleted /etc/wireguard/wg0.conf"
  ! ls /etc/systemd/system/*.wants/wl-quick@* >/dev/null 2>&1 || fail "purge left wl-quick@ enabled"
  record purge "/var/lib/wirelink and /var/cache/wirelink gone, enablement links gone, /etc/wireguard kept"
  record result pass
}

case "$boot" in
  1) boot1 ;;
  2) boot2 ;;
  *) fail "unexpected boot $boot" ;;
esac
