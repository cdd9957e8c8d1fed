package io.wirelink.agent.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactCodec;
import io.wirelink.facts.MalformedInputException;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.SignedGroupValue;
import io.wirelink.facts.SignedGroups;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wirelink decode [--hex HEX] [--key FILE]}: one datagram (binary on stdin, or hex) to JSON. With the
 * recipient's private key it also verifies a signed group and prints {@code "verified"}; a failed verification
 * or a malformed packet exits 1 with a one-line reason on stderr.
 */
@Command(name = "decode", description = "Decode one wirelink datagram (stdin, or --hex) and print its facts as JSON.")
public final class DecodeCommand implements Callable<Integer> {
    static final int MAX_INPUT = 65536;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--hex", paramLabel = "HEX", description = "the datagram as hex instead of binary on stdin")
    String hex;

    @Option(names = "--key", paramLabel = "FILE", description = "recipient's private key file (base64): verify the group")
    Path keyFile;

    @Override
    public Integer call() throws IOException {
        var err = spec.commandLine().getErr();
        byte[] datagram;
        if (hex != null) {
            try {
                datagram = HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
            } catch (IllegalArgumentException e) {
                err.println("wirelink decode: --hex is not valid hex");
                return 1;
            }
        } else {
            datagram = System.in.readNBytes(MAX_INPUT + 1);
            if (datagram.length > MAX_INPUT) {
                err.println("wirelink decode: input larger than " + MAX_INPUT + " bytes is not a datagram");
                return 1;
            }
        }
        PrivateKey key = null;
        if (keyFile != null) {
            try {
                key = PrivateKey.parse(Files.readString(keyFile, StandardCharsets.US_ASCII));
            } catch (IOException e) {
                err.println("wirelink decode: cannot read key file " + keyFile + ": " + e.getMessage());
                return 1;
            } catch (IllegalArgumentException e) {
                err.println("wirelink decode: " + keyFile + ": " + e.getMessage());
                return 1;
            }
        }
        Instant now = Instant.now();
        Fact top;
        try {
            top = FactCodec.decodeDatagram(datagram, now);
        } catch (MalformedInputException e) {
            err.println("wirelink decode: malformed packet: " + e.getMessage());
            return 1;
        }
        ObjectNode json = FactJson.fact(top, now);
        int rc = 0;
        if (key != null) {
            if (!(top.value() instanceof SignedGroupValue g)) {
                err.println("wirelink decode: not a signed group, nothing to verify");
                return 1;
            }
            boolean ok = new SignedGroups(key, 1).verify(top.subject(), g);
            json.put("verified", ok);
            if (!ok) {
                err.println("wirelink decode: verification failed: the tag does not match signer "
                        + top.subject() + " and this recipient key");
                rc = 1;
            }
        }
        spec.commandLine().getOut().println(JsonTree.write(json, true));
        spec.commandLine().getOut().flush();
        return rc;
    }
}
