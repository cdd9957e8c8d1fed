#!/bin/bash
# A hub and leaves in network namespaces inside the VM, each with a wirelink agent. Every node is on a
# 192.0.2.0/24 bridge; the leaves are configured as wg-quick would (only the hub, its endpoint and the overlay /24),
# the hub with the leaves' keys and /32s. Every pair of leaves must find each other through the hub, handshake
# directly and ping, with the hub forwarding none of it (an nftables counter on the hub's forward hook stays 0).
#   mesh.sh LAUNCHER JAR HUB_KIND LEAF_KIND...     KIND: kernel (kernel WireGuard) or go (wireguard-go)
# Leaves are named a, b, c, ... (192.0.2.2, .3, ...; overlay 198.18.0.2, .3, ...). Writes $VMLAB_OUT/mesh.txt
# (key=value: times and the evidence) and each agent's log.
set -euo pipefail
launcher=$1 jar=$2
shift 2
kinds=("$@")
names=(hub a b c d e f)
names=("${names[@]:0:${#kinds[@]}}")
leaves=("${names[@]:1}")
[ "${#leaves[@]}" -ge 2 ] || { echo "usage: mesh.sh LAUNCHER JAR HUB_KIND LEAF_KIND LEAF_KIND..." >&2; exit 2; }
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
trap 'echo "mesh.sh: line $LINENO: \"$BASH_COMMAND\" failed" >&2' ERR
# waits up to $1 seconds for the command after it to succeed
wait_for() {
  local secs=$1; shift
  local deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}
idx() { local i; for i in "${!names[@]}"; do if [ "${names[$i]}" = "$1" ]; then echo "$i"; fi; done; }
addr() { echo "192.0.2.$(( $(idx "$1") + 1 ))"; }
overlay() { echo "198.18.0.$(( $(idx "$1") + 1 ))"; }

modprobe wireguard
modprobe veth
modprobe bridge
modprobe tun
ip link add br0 type bridge
ip link set br0 up

declare -A pub
for n in "${names[@]}"; do
  ifc=wg-$n kind=${kinds[$(idx "$n")]}
  ip netns add "$n"
  ip link add "v-$n" type veth peer name eth0 netns "$n"
  ip link set "v-$n" master br0 up
  ip -n "$n" link set lo up
  ip -n "$n" addr add "$(addr "$n")/24" dev eth0
  ip -n "$n" link set eth0 up
  (umask 077; wg genkey > "/tmp/$n.key")
  pub[$n]=$(wg pubkey < "/tmp/$n.key")
  # the interface names differ: wireguard-go's UAPI sockets live in one /run/wireguard for every namespace
  if [ "$kind" = kernel ]; then
    ip -n "$n" link add "$ifc" type wireguard
  else
    ip netns exec "$n" wireguard-go "$ifc" > /dev/null
    wait_for 10 test -S "/run/wireguard/$ifc.sock" || fail "wireguard-go $ifc did not start"
  fi
  ip netns exec "$n" wg set "$ifc" private-key "/tmp/$n.key" listen-port 51820
  ip -n "$n" addr add "$(overlay "$n")/24" dev "$ifc"
  ip -n "$n" link set "$ifc" up
done
ip netns exec hub sysctl -q -w net.ipv4.ip_forward=1
for n in "${leaves[@]}"; do
  ip netns exec hub wg set wg-hub peer "${pub[$n]}" allowed-ips "$(overlay "$n")/32"
  ip netns exec "$n" wg set "wg-$n" peer "${pub[hub]}" endpoint "$(addr hub):51820" allowed-ips 198.18.0.0/24 \
    persistent-keepalive 5
done
# ICMP the hub forwards between the leaves: must stay 0 once they are direct
ip netns exec hub nft -f - <<'NFT'
table inet vmlab {
  chain forward {
    type filter hook forward priority 0; policy accept;
    meta l4proto { icmp, ipv6-icmp } counter name relayed
  }
  counter relayed {}
}
NFT
say "namespaces and interfaces up: $(for n in "${names[@]}"; do printf '%s=%s ' "$n" "${kinds[$(idx "$n")]}"; done)"

# no class-data archive: made in the background on first use, it would only add to the emulated CPU's load
for n in "${names[@]}"; do
  mkdir -p "/tmp/state-$n" "/tmp/run-$n"
  ip netns exec "$n" env WIRELINK_CDS=off WIRELINK_JAR="$jar" WIRELINK_STATE_DIR="/tmp/state-$n" WIRELINK_RUN_DIR="/tmp/run-$n" \
    "$launcher" --iface "wg-$n" > "$out/agent-$n.log" 2>&1 &
  echo $! > "/tmp/agent-$n.pid"
done
t_agents=$(ms)
for n in "${names[@]}"; do
  wait_for 300 test -S "/tmp/run-$n/wg-$n.sock" || fail "agent on $n did not open its control socket"
  say "agent on $n ready"
done
t_ready=$(ms)

handshook() { # handshook FROM TO: FROM's interface had a handshake with TO's key
  ip netns exec "$1" wg show "wg-$1" latest-handshakes | awk -v k="${pub[$2]}" '$1 == k && $2 > 0 {f=1} END {exit !f}'
}
allowed_has() { # allowed_has FROM TO PREFIX: FROM's peer TO has PREFIX in its allowed IPs
  ip netns exec "$1" wg show "wg-$1" allowed-ips \
    | awk -v k="${pub[$2]}" -v p="$3" '$1 == k {for (i = 2; i <= NF; i++) if ($i == p) f=1} END {exit !f}'
}
for n in "${leaves[@]}"; do
  wait_for 180 handshook "$n" hub || fail "$n never handshook with the hub"
done
t_hub=$(ms)
say "every leaf handshook with the hub"
pairs=()
for ((i = 0; i < ${#leaves[@]}; i++)); do
  for ((j = i + 1; j < ${#leaves[@]}; j++)); do pairs+=("${leaves[$i]} ${leaves[$j]}"); done
done
report=()
# every pending pair is polled each round, so each pair's time is its own (to within a round)
declare -A done_at=()
deadline=$(( $(date +%s) + 240 ))
while [ "${#done_at[@]}" -lt "${#pairs[@]}" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "not every pair of leaves handshook directly: ${!done_at[*]}"
  for pair in "${pairs[@]}"; do
    [ -z "${done_at[$pair]:-}" ] || continue
    read -r x y <<< "$pair"
    if handshook "$x" "$y" && handshook "$y" "$x"; then
      done_at[$pair]=$(ms)
      say "$x and $y handshook directly: $((done_at[$pair] - t_hub)) ms after every leaf handshook with the hub"
      report+=("direct_${x}_${y}_ms=$((done_at[$pair] - t_hub))")
    fi
  done
  sleep 0.2
done
t_direct=0
for pair in "${pairs[@]}"; do [ "${done_at[$pair]}" -le "$t_direct" ] || t_direct=${done_at[$pair]}; done
for pair in "${pairs[@]}"; do
  read -r x y <<< "$pair"
  wait_for 60 allowed_has "$x" "$y" "$(overlay "$y")/32" || fail "$y's /32 never reached $x's peer $y"
  wait_for 60 allowed_has "$y" "$x" "$(overlay "$x")/32" || fail "$x's /32 never reached $y's peer $x"
  ep_y=$(ip netns exec "$x" wg show "wg-$x" endpoints | awk -v k="${pub[$y]}" '$1 == k {print $2}')
  ep_x=$(ip netns exec "$y" wg show "wg-$y" endpoints | awk -v k="${pub[$x]}" '$1 == k {print $2}')
  [ "$ep_y" = "$(addr "$y"):51820" ] || fail "$x reaches $y at '$ep_y', not at $y's own address"
  [ "$ep_x" = "$(addr "$x"):51820" ] || fail "$y reaches $x at '$ep_x', not at $x's own address"
  report+=("endpoint_${y}_on_${x}=$ep_y" "endpoint_${x}_on_${y}=$ep_x")
done

ip netns exec hub nft reset counter inet vmlab relayed > /dev/null
for pair in "${pairs[@]}"; do
  read -r x y <<< "$pair"
  rx_before=$(ip netns exec "$x" wg show "wg-$x" transfer | awk -v k="${pub[$y]}" '$1 == k {print $2}')
  ip netns exec "$x" ping -c 3 -i 0.3 -W 5 "$(overlay "$y")" > "$out/ping-$x-$y.txt" \
    || fail "$x cannot ping $y: $(cat "$out/ping-$x-$y.txt")"
  ip netns exec "$y" ping -c 3 -i 0.3 -W 5 "$(overlay "$x")" > "$out/ping-$y-$x.txt" \
    || fail "$y cannot ping $x: $(cat "$out/ping-$y-$x.txt")"
  rx_after=$(ip netns exec "$x" wg show "wg-$x" transfer | awk -v k="${pub[$y]}" '$1 == k {print $2}')
  [ "$rx_after" -gt "$rx_before" ] || fail "$x received nothing from peer $y while they pinged"
  say "$x <-> $y ping ($x received $((rx_after - rx_before)) bytes from peer $y)"
done
relayed=$(ip netns exec hub nft list counter inet vmlab relayed | awk '$1 == "packets" {print $2}')
[ "$relayed" = 0 ] || fail "the hub forwarded $relayed ICMP packets between the leaves"
say "the hub forwarded no ICMP while the leaves pinged each other"

for n in "${names[@]}"; do
  kill -TERM "$(cat "/tmp/agent-$n.pid")" 2>/dev/null || true
done
{
  echo "kinds=${kinds[*]}"
  echo "agents_ready_ms=$((t_ready - t_agents))"
  echo "hub_handshakes_ms=$((t_hub - t_agents))"
  echo "time_to_direct_ms=$((t_direct - t_hub))"
  echo "start_to_direct_ms=$((t_direct - t_agents))"
  printf '%s\n' "${report[@]}"
  echo "hub_forwarded_icmp=$relayed"
  echo "direct=yes"
} > "$result"
cat "$result"
wait_for 15 bash -c "! pgrep -f wirelink-all.jar" || true
