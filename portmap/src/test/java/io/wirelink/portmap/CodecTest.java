package io.wirelink.portmap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wirelink.facts.MalformedInputException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The codecs against the packet layouts of RFC 6886 and RFC 6887, byte for byte. */
class CodecTest {
    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    // ------------------------------------------------------------ NAT-PMP (RFC 6886)

    @Test
    void natPmpExternalAddressRequestIsVersionAndOpcode() {
        assertArrayEquals(hex("00 00"), NatPmp.externalAddressRequest()); // §3.2
    }

    @Test
    void natPmpMapRequestLayout() {
        // §3.3: version 0, opcode 1 (UDP), reserved 0, internal 51820 (ca6c), suggested 51820, lifetime 7200
        assertArrayEquals(hex("00 01 0000 ca6c ca6c 00001c20"), NatPmp.mapRequest(51820, 51820, 7200));
        // §3.4: deletion is lifetime 0 and suggested external port 0
        assertArrayEquals(hex("00 01 0000 ca6c 0000 00000000"), NatPmp.mapRequest(51820, 0, 0));
    }

    @Test
    void natPmpExternalAddressResponse() throws Exception {
        // version 0, opcode 128, result 0, epoch 11920, 198.51.100.2
        NatPmp.ExternalAddressResponse r = NatPmp.decodeExternalAddress(hex("00 80 0000 00002e90 c6336402"));
        assertEquals(0, r.result());
        assertEquals(11920, r.epoch());
        assertEquals(InetAddress.getByName("198.51.100.2"), r.address());
        NatPmp.ExternalAddressResponse refused = NatPmp.decodeExternalAddress(hex("00 80 0002 00002e90"));
        assertEquals(2, refused.result());
        assertNull(refused.address());
    }

    @Test
    void natPmpMapResponse() {
        // captured from miniupnpd 2.3.1: opcode 129, result 0, epoch 11920, internal 51820, external 51820, 60 s
        NatPmp.MapResponse r = NatPmp.decodeMap(hex("0081000000002e90ca6cca6c0000003c"), NatPmp.OP_MAP_UDP);
        assertEquals(new NatPmp.MapResponse(1, 0, 11920, 51820, 51820, 60), r);
        assertEquals(3, NatPmp.decodeMap(hex("0081 0003"), 1).result());
    }

    @Test
    void natPmpRejectsWhatIsNotAResponse() {
        assertThrows(MalformedInputException.class, () -> NatPmp.decodeMap(hex("0001 0000"), 1)); // a request
        assertThrows(MalformedInputException.class, () -> NatPmp.decodeMap(hex("0281 0000"), 1)); // PCP
        assertThrows(MalformedInputException.class, () -> NatPmp.decodeMap(hex("0081 0000 00000001"), 1));
        assertThrows(MalformedInputException.class, () -> NatPmp.decodeExternalAddress(hex("0080 0000 0000")));
        assertThrows(MalformedInputException.class, () -> NatPmp.decodeExternalAddress(new byte[0]));
    }

    // ------------------------------------------------------------ PCP (RFC 6887)

    static final byte[] NONCE = hex("0102030405060708090a0b0c");

    @Test
    void pcpMapRequestLayout() throws Exception {
        byte[] req = Pcp.mapRequest(InetAddress.getByName("192.0.2.2"), NONCE, 51820, 51820, null, 7200);
        String want = ""
                + "02 01 0000 00001c20"                           // version 2, R=0 opcode MAP, reserved, lifetime
                + "00000000000000000000ffff c0000202"             // client IP ::ffff:192.0.2.2
                + "0102030405060708090a0b0c"                      // nonce
                + "11 000000 ca6c ca6c"                           // UDP, reserved, internal, suggested external
                + "00000000000000000000ffff 00000000";            // no preference: ::ffff:0.0.0.0
        assertArrayEquals(hex(want), req);
        assertEquals(60, req.length);
        byte[] withAddress = Pcp.mapRequest(InetAddress.getByName("192.0.2.2"), NONCE, 51820, 40000,
                InetAddress.getByName("198.51.100.2"), 0);
        assertArrayEquals(hex("00000000"), java.util.Arrays.copyOfRange(withAddress, 4, 8));
        assertArrayEquals(hex("9c40 00000000000000000000ffff c6336402"),
                java.util.Arrays.copyOfRange(withAddress, 42, 60));
    }

    static String successResponse() {
        return "02 81 00 00 00000e10 00002e90 000000000000000000000000"  // R=1 MAP, result 0, 3600 s, epoch
                + "0102030405060708090a0b0c 11 000000 ca6c 9c41"           // nonce, UDP, internal, external 40001
                + "00000000000000000000ffff c6336402";                     // 198.51.100.2
    }

    @Test
    void pcpMapResponse() throws Exception {
        Pcp.MapResponse r = Pcp.decodeMap(hex(successResponse()));
        assertEquals(0, r.result());
        assertEquals(3600, r.lifetimeSeconds());
        assertEquals(11920, r.epoch());
        assertArrayEquals(NONCE, r.nonce());
        assertEquals(17, r.protocol());
        assertEquals(51820, r.internalPort());
        assertEquals(40001, r.externalPort());
        assertEquals(InetAddress.getByName("198.51.100.2"), r.externalAddress());
        // with an option (THIRD_PARTY-like, 16 bytes of data) after the payload
        Pcp.MapResponse withOption = Pcp.decodeMap(hex(successResponse() + "01 00 0010" + "00".repeat(16)));
        assertEquals(40001, withOption.externalPort());
    }

    @Test
    void pcpErrorResponseMayBeTheHeaderAlone() {
        Pcp.MapResponse r = Pcp.decodeMap(hex("02 81 00 02 00000000 00002e90 000000000000000000000000"));
        assertEquals(2, r.result());
        assertEquals("NOT_AUTHORIZED", Pcp.resultName(r.result()));
    }

    @Test
    void pcpRejectsWhatIsNotAResponse() {
        // a NAT-PMP server's answer to PCP: version 0, UNSUPPORTED_VERSION
        assertThrows(MalformedInputException.class, () -> Pcp.decodeMap(hex("00 81 0001 00002e90")));
        assertThrows(MalformedInputException.class, () -> Pcp.decodeMap(hex(successResponse()
                .replace("02 81", "02 01")))); // a request
        assertThrows(MalformedInputException.class, () -> Pcp.decodeMap(hex(successResponse() + "01 00 0020")));
        assertThrows(MalformedInputException.class, () -> Pcp.decodeMap(hex("02 81 00 00 00000e10 00002e90"
                + "000000000000000000000000"))); // success without a payload
        assertThrows(MalformedInputException.class, () -> Pcp.decodeMap(hex(successResponse() + "00")));
    }

    // ------------------------------------------------------------ UPnP

    @Test
    void ssdpSearchAndAnswer() {
        String s = new String(Ssdp.search(Ssdp.IGD_V1, 1), StandardCharsets.US_ASCII);
        assertEquals("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
                + "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n", s);
        String answer = "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\n"
                + "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nEXT:\r\n"
                + "LOCATION: http://192.0.2.1:37501/rootDesc.xml\r\n\r\n";
        Ssdp.Answer a = Ssdp.decode(answer.getBytes(StandardCharsets.US_ASCII));
        assertEquals(URI.create("http://192.0.2.1:37501/rootDesc.xml"), a.location());
        assertThrows(MalformedInputException.class, () -> Ssdp.decode("HTTP/1.1 200 OK\r\nST: x\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII)));
        assertThrows(MalformedInputException.class, () -> Ssdp.decode("NOTIFY * HTTP/1.1\r\nLOCATION: http://a/\r\n"
                .getBytes(StandardCharsets.US_ASCII)));
        assertThrows(MalformedInputException.class, () -> Ssdp.decode("HTTP/1.1 200 OK\r\nLOCATION: file:///etc\r\n"
                .getBytes(StandardCharsets.US_ASCII)));
    }

    static final String DESCRIPTION = "<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\">"
            + "<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType><serviceList>"
            + "<service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>"
            + "<controlURL>/ctl/L3F</controlURL></service></serviceList><deviceList><device><deviceList><device>"
            + "<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>"
            + "<controlURL>/ctl/IPConn1</controlURL></service>"
            + "<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType>"
            + "<controlURL>/ctl/IPConn</controlURL></service></serviceList></device></deviceList></device>"
            + "</deviceList></device></root>";

    @Test
    void descriptionPicksTheBestWanService() {
        UpnpXml.Service s = UpnpXml.wanService(DESCRIPTION.getBytes(StandardCharsets.UTF_8),
                URI.create("http://192.0.2.1:37501/rootDesc.xml"));
        assertEquals("urn:schemas-upnp-org:service:WANIPConnection:2", s.type());
        assertEquals(URI.create("http://192.0.2.1:37501/ctl/IPConn"), s.controlUrl());
        assertThrows(MalformedInputException.class, () -> UpnpXml.wanService("<root/>".getBytes(
                StandardCharsets.UTF_8), URI.create("http://192.0.2.1/")));
    }

    @Test
    void descriptionWithADoctypeIsRefused() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><root>&x;</root>";
        assertThrows(MalformedInputException.class, () -> UpnpXml.wanService(xxe.getBytes(StandardCharsets.UTF_8),
                URI.create("http://192.0.2.1/")));
    }

    @Test
    void soapRequestAndResponses() {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("NewRemoteHost", "");
        args.put("NewExternalPort", "51820");
        String body = UpnpXml.soapRequest("urn:schemas-upnp-org:service:WANIPConnection:2", "DeletePortMapping", args);
        assertEquals("<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:DeletePortMapping "
                + "xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:2\"><NewRemoteHost></NewRemoteHost>"
                + "<NewExternalPort>51820</NewExternalPort></u:DeletePortMapping></s:Body></s:Envelope>\r\n", body);
        String ok = "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
                + "<u:GetExternalIPAddressResponse xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:2\">"
                + "<NewExternalIPAddress>198.51.100.2</NewExternalIPAddress></u:GetExternalIPAddressResponse>"
                + "</s:Body></s:Envelope>";
        UpnpXml.SoapResult r = UpnpXml.soapResponse(ok.getBytes(StandardCharsets.UTF_8), "GetExternalIPAddress");
        assertEquals("198.51.100.2", r.values().get("NewExternalIPAddress"));
        String fault = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault>"
                + "<faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
                + "<UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>718</errorCode>"
                + "<errorDescription>ConflictInMappingEntry</errorDescription></UPnPError></detail></s:Fault>"
                + "</s:Body></s:Envelope>";
        UpnpXml.SoapResult f = UpnpXml.soapResponse(fault.getBytes(StandardCharsets.UTF_8), "AddPortMapping");
        assertEquals(718, f.errorCode());
        assertEquals("ConflictInMappingEntry", f.errorDescription());
        assertThrows(MalformedInputException.class, () -> UpnpXml.soapResponse(ok.getBytes(StandardCharsets.UTF_8),
                "AddPortMapping"));
    }

    // ------------------------------------------------------------ the default gateway

    @Test
    void defaultGatewayFromProcNetRoute() throws Exception {
        String table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
                + "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
                + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\tF0FFFFFF\t0\t0\t0\n";
        assertEquals(InetAddress.getByName("192.0.2.1"), DefaultGateway.parse(table).orElseThrow());
        assertEquals(java.util.Optional.empty(), DefaultGateway.parse(table.lines().skip(2).reduce("", String::concat)));
        assertEquals(java.util.Optional.empty(), DefaultGateway.parse("garbage\n1 2 3"));
    }
}
