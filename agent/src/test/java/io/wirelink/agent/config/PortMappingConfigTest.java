package io.wirelink.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portMapping}: auto by default, off from a file (YAML's bare {@code off} is a boolean) or the environment. */
class PortMappingConfigTest {
    @TempDir
    Path dir;

    @Test
    void autoByDefaultOffFromFileOrEnvironmentAndBadValuesNamed() throws Exception {
        Map<String, String> env = Map.of("WIRELINK_CONFIG_PATH", dir.toString());
        assertEquals(PortMappingMode.AUTO, ConfigLoader.load(null, env, Map.of()).portMapping());
        Files.writeString(dir.resolve("wirelink.wg0.yaml"), "portMapping: off\n");
        assertEquals(PortMappingMode.OFF, ConfigLoader.load(null, env, Map.of()).portMapping());
        Map<String, String> envAuto = Map.of("WIRELINK_CONFIG_PATH", dir.toString(), "WIRELINK_PORT_MAPPING", "auto");
        assertEquals(PortMappingMode.AUTO, ConfigLoader.load(null, envAuto, Map.of()).portMapping());
        Files.writeString(dir.resolve("wirelink.wg0.yaml"), "portMapping: sometimes\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, env, Map.of()));
        assertTrue(e.getMessage().contains("portMapping"), e.getMessage());
    }
}
