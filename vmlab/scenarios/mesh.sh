#!/bin/bash
# A hub and two leaves in network namespaces inside the VM, each with a wirelink agent. Every node is on a
# 192.0.2.0/24 bridge; the leaves are configured as wg-quick would (only the hub, its endpoint and the overlay /24),
# the hub with the leaves' keys and /32s. The leaves must find each other through the hub, handshake directly and
# ping each other with the hub forwarding none of it (an nftables counter on the hub's forward hook stays 0).
#   mesh.sh LAUNCHER JAR HUB_KIND A_KIND B_KIND      KIND: kernel (kernel WireGuard) or go (wireguard-go)
# Writes $VMLAB_OUT/mesh.txt (key=value: time-to-direct and the evidence) and each agent's log.
set -euo pipefail
launcher=$1 jar=$2
kinds=([0]=$3 [1]=$4 [2]=$5)
names=(hub a b)
out=${VMLAB_OUT:-/tmp}
result=$out/mesh.txt
: > "$result"
t_start=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - t_start) / 1000000 )); }
say() { echo "[$(ms) ms] $*"; }
fail() {
  say "FAIL: $*"
  for n in "${names[@]}"; do
    echo "--- $n: wg show"; ip netns exec "$n" wg show 2>&1 || true
    echo "--- $n: agent log (tail)"; tail -n 40 "$out/agent-$n.log" 2>/dev/null || true
  done
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

modprobe wireguard
modprobe veth
modprobe bridge
modprobe tun
ip link add br0 type bridge
ip link set br0 up

for i in 0 1 2; do
  n=${names[$i]} ifc=wg-${names[$i]}
  ip netns add "$n"
  ip link add "v-$n" type veth peer name eth0 netns "$n"
  ip link set "v-$n" master br0 up
  ip -n "$n" link set lo up
  ip -n "$n" addr add "192.0.2.$((i + 1))/24" dev eth0
  ip -n "$n" link set eth0 up
  umask 077; wg genkey > "/tmp/$n.key"; umask 022
  wg pubkey < "/tmp/$n.key" > "/tmp/$n.pub"
  # the interface names differ: wireguard-go's UAPI sockets live in one /run/wireguard for every namespace
  if [ "${kinds[$i]}" = kernel ]; then
    ip -n "$n" link add "$ifc" type wireguard
  else
    ip netns exec "$n" wireguard-go "$ifc"
    wait_for 10 test -S "/run/wireguard/$ifc.sock" || fail "wireguard-go $ifc did not start"
  fi
  ip netns exec "$n" wg set "$ifc" private-key "/tmp/$n.key" listen-port 51820
  ip -n "$n" addr add "198.18.0.$((i + 1))/24" dev "$ifc"
  ip -n "$n" link set "$ifc" up
done
hub_pub=$(cat /tmp/hub.pub) a_pub=$(cat /tmp/a.pub) b_pub=$(cat /tmp/b.pub)
ip netns exec hub sysctl -q -w net.ipv4.ip_forward=1
ip netns exec hub wg set wg-hub peer "$a_pub" allowed-ips 198.18.0.2/32 peer "$b_pub" allowed-ips 198.18.0.3/32
for n in a b; do
  ip netns exec "$n" wg set "wg-$n" peer "$hub_pub" endpoint 192.0.2.1:51820 allowed-ips 198.18.0.0/24 \
    persistent-keepalive 5
done
# ICMP the hub forwards between the leaves: must stay 0 once they are direct
ip netns exec hub nft -f - <<'EOF'
table inet vmlab {
  chain forward {
    type filter hook forward priority 0; policy accept;
    meta l4proto { icmp, ipv6-icmp } counter name relayed
  }
  counter relayed {}
}
EOF
say "namespaces and interfaces up (hub ${kinds[0]}, a ${kinds[1]}, b ${kinds[2]})"

for n in "${names[@]}"; do
  mkdir -p "/tmp/state-$n" "/tmp/run-$n"
  ip netns exec "$n" env WIRELINK_JAR="$jar" WIRELINK_STATE_DIR="/tmp/state-$n" WIRELINK_RUN_DIR="/tmp/run-$n" \
    "$launcher" --iface "wg-$n" > "$out/agent-$n.log" 2>&1 &
  echo $! > "/tmp/agent-$n.pid"
done
t_agents=$(ms)
for n in "${names[@]}"; do
  wait_for 240 test -S "/tmp/run-$n/wg-$n.sock" || fail "agent on $n did not open its control socket"
  say "agent on $n ready"
done
t_ready=$(ms)

handshook() { # handshook NS IFACE PUBKEY: a handshake with that peer happened
  ip netns exec "$1" wg show "$2" latest-handshakes | awk -v k="$3" '$1 == k && $2 > 0 {f=1} END {exit !f}'
}
wait_for 120 handshook a wg-a "$hub_pub" || fail "a never handshook with the hub"
wait_for 120 handshook b wg-b "$hub_pub" || fail "b never handshook with the hub"
t_hub=$(ms)
say "both leaves handshook with the hub"
wait_for 180 handshook a wg-a "$b_pub" || fail "a and b never handshook directly"
wait_for 60 handshook b wg-b "$a_pub" || fail "b never handshook with a directly"
t_direct=$(ms)
say "a and b handshook directly: $((t_direct - t_hub)) ms after both handshook with the hub, $((t_direct - t_agents)) ms after the agents started"

allowed_has() { # allowed_has NS IFACE PUBKEY PREFIX
  ip netns exec "$1" wg show "$2" allowed-ips | awk -v k="$3" -v p="$4" '$1 == k {for (i = 2; i <= NF; i++) if ($i == p) f=1} END {exit !f}'
}
wait_for 60 allowed_has a wg-a "$b_pub" 198.18.0.3/32 || fail "b's /32 never reached a's peer b"
wait_for 60 allowed_has b wg-b "$a_pub" 198.18.0.2/32 || fail "a's /32 never reached b's peer a"
ep_b=$(ip netns exec a wg show wg-a endpoints | awk -v k="$b_pub" '$1 == k {print $2}')
ep_a=$(ip netns exec b wg show wg-b endpoints | awk -v k="$a_pub" '$1 == k {print $2}')
[ "$ep_b" = 192.0.2.3:51820 ] || fail "a reaches b at '$ep_b', not at b's own address"
[ "$ep_a" = 192.0.2.2:51820 ] || fail "b reaches a at '$ep_a', not at a's own address"

ip netns exec hub nft reset counter inet vmlab relayed > /dev/null
rx_before=$(ip netns exec a wg show wg-a transfer | awk -v k="$b_pub" '$1 == k {print $2}')
ip netns exec a ping -c 5 -i 0.3 -W 5 198.18.0.3 > "$out/ping-a-b.txt" || fail "a cannot ping b: $(cat "$out/ping-a-b.txt")"
ip netns exec b ping -c 5 -i 0.3 -W 5 198.18.0.2 > "$out/ping-b-a.txt" || fail "b cannot ping a: $(cat "$out/ping-b-a.txt")"
rx_after=$(ip netns exec a wg show wg-a transfer | awk -v k="$b_pub" '$1 == k {print $2}')
relayed=$(ip netns exec hub nft list counter inet vmlab relayed | awk '$1 == "packets" {print $2}')
[ "$relayed" = 0 ] || fail "the hub forwarded $relayed ICMP packets between the leaves"
[ "$rx_after" -gt "$rx_before" ] || fail "a received nothing from peer b while pinging"
say "a <-> b ping directly (hub forwarded 0 ICMP packets; a received $((rx_after - rx_before)) bytes from peer b)"

for n in "${names[@]}"; do
  kill -TERM "$(cat "/tmp/agent-$n.pid")" 2>/dev/null || true
done
{
  echo "kinds=${kinds[*]}"
  echo "agents_ready_ms=$((t_ready - t_agents))"
  echo "hub_handshakes_ms=$((t_hub - t_agents))"
  echo "time_to_direct_ms=$((t_direct - t_hub))"
  echo "start_to_direct_ms=$((t_direct - t_agents))"
  echo "endpoint_b_on_a=$ep_b"
  echo "endpoint_a_on_b=$ep_a"
  echo "hub_forwarded_icmp=$relayed"
  echo "direct=yes"
} > "$result"
cat "$result"
wait_for 15 bash -c "! pgrep -f wirelink-all.jar" || true
