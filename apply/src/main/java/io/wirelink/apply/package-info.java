/** WireGuard device and host network control: UAPI, kernel netlink, rtnetlink, sd_notify. */
package io.wirelink.apply;
