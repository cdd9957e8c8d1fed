package io.wirelink.dht;

/** The node-wide RTT estimate (same rules as a peer's), the timeout for contacts never measured. */
final class RttEstimator {
    private double srtt = -1;
    private double rttvar;

    void sample(double rtt) {
        if (srtt < 0) {
            srtt = rtt;
            rttvar = rtt / 2;
        } else {
            rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - rtt);
            srtt = 0.875 * srtt + 0.125 * rtt;
        }
    }

    long rto(DhtConfig cfg) {
        if (srtt < 0) {
            return cfg.defaultRtoMillis();
        }
        return (long) Math.min(cfg.maxRtoMillis(), Math.max(cfg.minRtoMillis(), srtt + 4 * rttvar));
    }
}
