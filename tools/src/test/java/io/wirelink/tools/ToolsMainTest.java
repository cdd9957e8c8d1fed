package io.wirelink.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.agent.cli.WirelinkCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ToolsMainTest {
    @Test
    void theToolsJarIsTheDaemonsCommandPlusEachTool() {
        Set<String> daemon = new TreeSet<>(WirelinkCommand.commandLine().getSubcommands().keySet());
        CommandLine tools = WirelinkCommand.commandLine(ToolsMain.tools());
        assertEquals(daemon, new TreeSet<>(tools.getSubcommands().keySet()), "the same names, no stand-in left over");
        for (String name : WirelinkCommand.TOOLS) {
            assertFalse(tools.getSubcommands().get(name).getCommandSpec().usageMessage().hidden(), name);
            StringWriter out = new StringWriter();
            tools.setOut(new PrintWriter(out, true));
            assertEquals(0, tools.execute(name, "--help"), name);
            assertTrue(out.toString().startsWith("Usage: wirelink " + name), out.toString());
        }
    }

    @Test
    void helpListsTheTools() {
        CommandLine cl = WirelinkCommand.commandLine(ToolsMain.tools());
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("--help"));
        for (String name : WirelinkCommand.TOOLS) {
            assertTrue(out.toString().contains("\n  " + name + " "), out.toString());
        }
    }
}
