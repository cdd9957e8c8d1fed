/**
 * Port mapping on the default gateway for the WireGuard listen port: PCP (RFC 6887), NAT-PMP (RFC 6886) and
 * UPnP-IGD (SSDP, device description, SOAP), tried in that order, with lease renewal at half the lifetime
 * ({@link io.wirelink.portmap.PortMapKeeper}). The codecs are pure; every decoder of a gateway's reply throws only
 * {@link io.wirelink.facts.MalformedInputException} on input it cannot use.
 */
package io.wirelink.portmap;
