package io.wirelink.lab;

import static org.awaitility.Awaitility.await;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;

/** A stand-alone {@code RelayMain} in the lab, with a fresh key, admitting and pairing exactly two keys. */
record StandaloneRelay(PublicKey publicKey, IpEndpoint endpoint, LabProcess process) {

    /** Starts it on {@code host} at {@code port} and waits until it listens. */
    static StandaloneRelay start(Lab lab, Host host, int port, PublicKey a, PublicKey b) throws Exception {
        PrivateKey key = PrivateKey.generate(new SecureRandom());
        Path keyFile = lab.runDir().resolve("relay.key");
        Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(keyFile, key.toBase64() + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        LabProcess relay = lab.spawn(host, "relaymain", Map.of(), java, "-Xmx64m", "-cp",
                LabAgent.jar().toAbsolutePath().toString(), "io.wirelink.relay.RelayMain", "--private-key",
                keyFile.toString(), "--listen", host.address().getHostAddress() + ":" + port, "--pair",
                a.toBase64() + "," + b.toBase64());
        await("RelayMain listens").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!relay.isAlive()) {
                throw new AssertionError("RelayMain exited: " + relay.logTail(2000));
            }
            return relay.logTail(4096).contains("listening on");
        });
        return new StandaloneRelay(key.publicKey(), new IpEndpoint(host.address(), port), relay);
    }
}
