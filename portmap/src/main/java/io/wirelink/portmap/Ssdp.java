package io.wirelink.portmap;

import io.wirelink.facts.MalformedInputException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** SSDP (UPnP Device Architecture 1.1 §1.3) discovery of an Internet Gateway Device: M-SEARCH and its answer. */
public final class Ssdp {
    public static final int PORT = 1900;
    public static final String MULTICAST = "239.255.255.250";
    public static final String IGD_V1 = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";
    /** The largest answer we read. */
    public static final int MAX_LENGTH = 8192;

    private Ssdp() {}

    /** An answer: where the device description is, and what it answered for. */
    public record Answer(URI location, String searchTarget) {}

    /** An M-SEARCH for {@code searchTarget}, with MX (seconds a device may wait before answering). */
    public static byte[] search(String searchTarget, int mx) {
        String s = "M-SEARCH * HTTP/1.1\r\n"
                + "HOST: " + MULTICAST + ":" + PORT + "\r\n"
                + "MAN: \"ssdp:discover\"\r\n"
                + "MX: " + mx + "\r\n"
                + "ST: " + searchTarget + "\r\n"
                + "\r\n";
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Decodes an answer: "HTTP/1.1 200 OK", then headers with an absolute http LOCATION. */
    public static Answer decode(byte[] b) {
        if (b == null || b.length == 0 || b.length > MAX_LENGTH) {
            throw new MalformedInputException("SSDP answer of " + (b == null ? 0 : b.length) + " bytes");
        }
        String text = new String(b, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n", -1);
        String status = lines[0].strip();
        if (!status.matches("HTTP/1\\.[01] 200( .*)?")) {
            throw new MalformedInputException("SSDP answer is not 200 OK");
        }
        String location = null;
        String st = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedInputException("SSDP header line without a name");
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (name.equals("location")) {
                location = value;
            } else if (name.equals("st")) {
                st = value;
            }
        }
        if (location == null) {
            throw new MalformedInputException("SSDP answer without LOCATION");
        }
        URI uri;
        try {
            uri = new URI(location);
        } catch (URISyntaxException e) {
            throw new MalformedInputException("SSDP LOCATION is not a URI");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new MalformedInputException("SSDP LOCATION is not an absolute http URL");
        }
        return new Answer(uri, st == null ? "" : st);
    }
}
