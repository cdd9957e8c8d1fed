package io.wirelink.detect;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpPrefix;
import java.net.InetAddress;

/**
 * Router detection from the device. A peer is a router when it routes more than its own host address: any
 * allowed IP shorter than a host prefix, <em>including</em> {@code 0.0.0.0/0} and {@code ::/0} (wirelink missed
 * those, so a leaf behind a full-tunnel hub thought itself a router), excluding link-local ranges.
 */
public final class Routers {
    private Routers() {}

    public static boolean isRouter(PeerState p) {
        for (IpPrefix a : p.allowedIps()) {
            int full = a.address().getAddress().length * 8;
            InetAddress addr = a.address();
            if (a.prefixLength() < full && !addr.isLinkLocalAddress() && !addr.isLoopbackAddress()
                    && !addr.isMulticastAddress()) {
                return true;
            }
        }
        return false;
    }

    /** Whether any device peer is a router. */
    public static boolean hasRouter(DeviceState device) {
        for (PeerState p : device.peers()) {
            if (isRouter(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether this node acts as a router. {@code forced} (from config) wins; otherwise a node is a router when it
     * has peers and none of them is a router (a hub of leaves). A device with no peers is not a router (wirelink
     * called it one, and then trusted and deconfigured differently).
     */
    public static boolean selfIsRouter(Boolean forced, DeviceState device) {
        if (forced != null) {
            return forced;
        }
        if (device.peers().isEmpty()) {
            return false;
        }
        for (PeerState p : device.peers()) {
            if (isRouter(p)) {
                return false;
            }
        }
        return true;
    }
}
