package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The daemon's signals on a real process (the launcher and the shaded jar) on wireguard-go: SIGUSR1 logs the facts
 * and the agent carries on, SIGHUP reloads, SIGTERM exits 0 and removes the control socket, and the fact log it
 * closed replays on the next start.
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AgentSignalsIT {
    static final Duration POLL = Duration.ofMillis(100);
    static final Pattern REPLAYED = Pattern.compile("(\\d+) facts replayed");

    @Test
    void usr1LogsFactsHupReloadsTermExitsZeroAndTheFactLogReplays(Lab lab) throws Exception {
        Host ha = lab.publicHost("a");
        Host hb = lab.publicHost("b");
        WgInterface a = lab.startWireGuard(ha).addAddress("198.18.0.1/24");
        WgInterface b = lab.startWireGuard(hb).addAddress("198.18.0.2/24");
        a.setPeer(b, b.underlayEndpoint(), 5, "198.18.0.2/32");
        b.setPeer(a, a.underlayEndpoint(), 5, "198.18.0.1/32");
        LabAgent agentA = new LabAgent(lab, ha, a).start();
        LabAgent agentB = new LabAgent(lab, hb, b).start();
        for (LabAgent ag : new LabAgent[] {agentA, agentB}) {
            awaitReady(ag);
        }
        await("a learns b's facts").atMost(Duration.ofSeconds(30)).pollInterval(POLL)
                .until(() -> agentA.status().get("facts").asInt() > 0);

        ha.exec("kill", "-USR1", Long.toString(agentA.process.pid()));
        await("SIGUSR1 lists the facts").atMost(Duration.ofSeconds(10)).pollInterval(POLL)
                .until(() -> agentA.log().contains("Self: wirelink"));
        String log = agentA.log();
        assertTrue(log.contains("Current facts:"), log);
        assertTrue(log.contains("Current peers: "), log);
        assertTrue(log.contains(b.publicKey().toBase64()), "b is among the facts or peers: " + log);
        assertTrue(agentA.process.isAlive(), "SIGUSR1 must not stop the agent");
        assertTrue(agentA.ready(), "the agent still answers after SIGUSR1");

        ha.exec("kill", "-HUP", Long.toString(agentA.process.pid()));
        await("SIGHUP reloads").atMost(Duration.ofSeconds(10)).pollInterval(POLL)
                .until(() -> agentA.log().contains("configuration reloaded"));
        assertTrue(agentA.process.isAlive(), "SIGHUP must not stop the agent");

        ha.exec("kill", "-TERM", Long.toString(agentA.process.pid()));
        await("SIGTERM stops the agent").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> !agentA.process.isAlive());
        assertEquals(0, agentA.process.exitValue().getAsInt(), "exit status after SIGTERM: " + agentA.log());
        assertFalse(Files.exists(agentA.socket()), "control socket removed");

        agentA.start();
        awaitReady(agentA);
        Matcher m = REPLAYED.matcher(agentA.log());
        assertTrue(m.find(), agentA.log());
        assertTrue(Integer.parseInt(m.group(1)) > 0, "the fact log written before SIGTERM replays: " + m.group());
        assertFalse(agentA.log().contains("could not be opened"), agentA.log());
    }

    private static void awaitReady(LabAgent ag) {
        await("agent on " + ag.host.name() + " ready").atMost(Duration.ofSeconds(60)).pollInterval(POLL).until(() -> {
            if (!ag.process.isAlive()) {
                throw new AssertionError("agent died: " + ag.log());
            }
            return ag.ready();
        });
    }
}
