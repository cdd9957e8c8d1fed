/**
 * The lab: network namespaces, veth pairs, a bridge "internet", nftables NAT gateways and real wireguard-go
 * interfaces, for integration tests that need root. Start with {@link io.wirelink.lab.Lab}.
 *
 * <p>Safety: the lab only ever configures or targets addresses in TEST-NET-1/2/3 (192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24), the benchmark range 198.18.0.0/15 and ULA fd00::/8 (see {@link io.wirelink.lab.LabAddresses}),
 * and every namespace, interface and process it makes is named with a per-run token and removed on close.
 */
package io.wirelink.lab;
