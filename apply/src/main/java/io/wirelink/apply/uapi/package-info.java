/**
 * The WireGuard cross-platform userspace API (UAPI) client: {@link io.wirelink.apply.uapi.UapiDevice} controls a
 * wireguard-go or boringtun interface through its UNIX socket. The codec is pure and package-private; the transport
 * is a thin blocking shell. Every call blocks its caller (bounded by a timeout): call it from a worker thread.
 */
package io.wirelink.apply.uapi;
