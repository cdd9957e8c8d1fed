package io.wirelink.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wirelink.agent.config.AgentConfig;
import io.wirelink.agent.config.ConfigLoader;
import io.wirelink.trust.TrustLevel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The example config the package ships loads with the agent's own loader, as the file name's interface. */
class ExampleConfigTest {
    @Test
    void exampleLoadsAsAConfigForWg0WithTheHub() throws Exception {
        Path example = Path.of(System.getProperty("wirelink.debSrc", "src/deb"), "wirelink.wg0.yaml");
        AgentConfig config = ConfigLoader.load(example, Map.of(), Map.of());
        assertEquals("wg0", config.iface());
        assertEquals(Path.of("/var/lib/wirelink"), config.stateDir());
        assertEquals(1, config.peers().size());
        assertEquals("hub", config.peers().get(0).name());
        assertEquals(TrustLevel.Membership, config.peers().get(0).trust());
    }
}
