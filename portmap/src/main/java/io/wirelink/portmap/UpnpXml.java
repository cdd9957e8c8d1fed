package io.wirelink.portmap;

import io.wirelink.facts.MalformedInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * The XML of UPnP-IGD: the device description (which WAN connection service, at which control URL) and SOAP
 * requests and responses of WANIPConnection. Parsing is namespace-aware, refuses DTDs (no entity expansion, no
 * external fetches) and throws only {@link MalformedInputException}.
 */
public final class UpnpXml {
    /** Service types that can map ports, best first. */
    public static final List<String> WAN_SERVICES = List.of(
            "urn:schemas-upnp-org:service:WANIPConnection:2",
            "urn:schemas-upnp-org:service:WANIPConnection:1",
            "urn:schemas-upnp-org:service:WANPPPConnection:1");
    /** The largest description or SOAP response we parse. */
    public static final int MAX_LENGTH = 256 * 1024;

    private UpnpXml() {}

    /** A WAN connection service of the device: its type and absolute control URL. */
    public record Service(String type, URI controlUrl) {}

    /** A SOAP response: the out-arguments of a success, or the UPnP error of a fault. */
    public record SoapResult(Map<String, String> values, int errorCode, String errorDescription) {
        public boolean ok() {
            return errorCode == 0;
        }
    }

    /**
     * The best WAN connection service in a device description fetched from {@code location} (control URLs are
     * resolved against URLBase if present, else the location).
     */
    public static Service wanService(byte[] xml, URI location) {
        Document d = parse(xml);
        URI base = location;
        for (Element e : elements(d.getDocumentElement(), "URLBase")) {
            base = uri(e.getTextContent().strip());
        }
        Service best = null;
        int bestRank = Integer.MAX_VALUE;
        for (Element s : elements(d.getDocumentElement(), "service")) {
            String type = childText(s, "serviceType");
            String ctl = childText(s, "controlURL");
            int rank = type == null ? -1 : WAN_SERVICES.indexOf(type.strip());
            if (rank >= 0 && ctl != null && rank < bestRank) {
                URI u;
                try {
                    u = base.resolve(uri(ctl.strip()));
                } catch (IllegalArgumentException e) {
                    throw new MalformedInputException("bad controlURL");
                }
                if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
                    throw new MalformedInputException("controlURL is not an http URL");
                }
                best = new Service(type.strip(), u);
                bestRank = rank;
            }
        }
        if (best == null) {
            throw new MalformedInputException("no WANIPConnection or WANPPPConnection service in the description");
        }
        return best;
    }

    /** A SOAP request body calling {@code action} of {@code serviceType} with {@code args} (in order). */
    public static String soapRequest(String serviceType, String action, Map<String, String> args) {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap."
                + "org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>");
        sb.append("<u:").append(action).append(" xmlns:u=\"").append(escape(serviceType)).append("\">");
        for (Map.Entry<String, String> a : args.entrySet()) {
            sb.append('<').append(a.getKey()).append('>').append(escape(a.getValue())).append("</").append(a.getKey())
                    .append('>');
        }
        sb.append("</u:").append(action).append("></s:Body></s:Envelope>\r\n");
        return sb.toString();
    }

    /**
     * Decodes a SOAP response to {@code action}: the children of its {@code <actionResponse>} element, or a
     * fault's UPnPError code and description.
     */
    public static SoapResult soapResponse(byte[] xml, String action) {
        Document d = parse(xml);
        Element root = d.getDocumentElement();
        if (!"Envelope".equals(local(root))) {
            throw new MalformedInputException("SOAP response without an Envelope");
        }
        for (Element f : elements(root, "Fault")) {
            String code = null;
            String desc = "";
            for (Element e : elements(f, "errorCode")) {
                code = e.getTextContent().strip();
            }
            for (Element e : elements(f, "errorDescription")) {
                desc = e.getTextContent().strip();
            }
            int c;
            try {
                c = code == null ? -1 : Integer.parseInt(code);
            } catch (NumberFormatException e) {
                c = -1;
            }
            return new SoapResult(Map.of(), c == 0 ? -1 : c, desc);
        }
        for (Element r : elements(root, action + "Response")) {
            Map<String, String> values = new LinkedHashMap<>();
            for (Node n = r.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e) {
                    values.put(local(e), e.getTextContent().strip());
                }
            }
            return new SoapResult(values, 0, "");
        }
        throw new MalformedInputException("SOAP response has neither " + action + "Response nor a Fault");
    }

    static Document parse(byte[] xml) {
        if (xml == null || xml.length == 0 || xml.length > MAX_LENGTH) {
            throw new MalformedInputException("XML of " + (xml == null ? 0 : xml.length) + " bytes");
        }
        try {
            DocumentBuilder b = factory().newDocumentBuilder();
            b.setErrorHandler(THROWING);
            return b.parse(new ByteArrayInputStream(xml));
        } catch (SAXException | IOException e) {
            throw new MalformedInputException("not well-formed XML: " + e.getMessage());
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser cannot be configured safely", e);
        } catch (RuntimeException e) {
            // the JDK parser is not supposed to throw anything else on bad input; treat whatever it does as such
            throw new MalformedInputException("XML parser: " + e);
        }
    }

    private static DocumentBuilderFactory factory() throws ParserConfigurationException {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature("http://xml.org/sax/features/external-general-entities", false);
        f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        return f;
    }

    private static final ErrorHandler THROWING = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
            // warnings are not errors
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    };

    private static String local(Node n) {
        String l = n.getLocalName();
        return l != null ? l : n.getNodeName();
    }

    /** Every descendant element of {@code root} with local name {@code name}, in document order. */
    private static List<Element> elements(Element root, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nl = root.getElementsByTagNameNS("*", name);
        for (int i = 0; i < nl.getLength(); i++) {
            out.add((Element) nl.item(i));
        }
        if (name.equals(local(root))) {
            out.add(0, root);
        }
        return out;
    }

    private static String childText(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && name.equals(local(c))) {
                return c.getTextContent();
            }
        }
        return null;
    }

    private static URI uri(String s) {
        try {
            return new URI(s);
        } catch (URISyntaxException e) {
            throw new MalformedInputException("not a URI: " + e.getMessage());
        }
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<':
                    sb.append("&lt;");
                    break;
                case '>':
                    sb.append("&gt;");
                    break;
                case '&':
                    sb.append("&amp;");
                    break;
                case '"':
                    sb.append("&quot;");
                    break;
                default:
                    sb.append(c);
            }
        }
        return sb.toString();
    }

    /** UTF-8 bytes of a SOAP body. */
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
