package io.dataland.auth.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Which address a request is keyed by: the peer, or X-Forwarded-For's rightmost untrusted hop behind a trusted proxy. */
class ClientAddressTest {

    private static InetAddress ip(String text) {
        return ClientAddress.literal(text);
    }

    private static String client(ClientAddress clients, String peer, String... forwardedFor) {
        return ClientAddress.key(clients.resolve(ip(peer), List.of(forwardedFor)));
    }

    @Test
    void withoutTrustedProxiesTheHeaderIsIgnored() {
        ClientAddress none = ClientAddress.parse("");
        assertEquals("203.0.113.9", client(none, "203.0.113.9", "1.2.3.4"));
    }

    @Test
    void behindATrustedProxyTheRightmostUntrustedHopIsTheClient() {
        ClientAddress clients = ClientAddress.parse("10.0.0.0/8, 172.18.0.5");
        assertEquals("198.51.100.7", client(clients, "172.18.0.5", "198.51.100.7"));
        // the client wrote "6.6.6.6" itself; the proxy appended what it saw
        assertEquals("198.51.100.7", client(clients, "172.18.0.5", "6.6.6.6, 198.51.100.7"));
        // two proxies in a row (CDN 10.1.2.3, then ours): skip both
        assertEquals("198.51.100.7", client(clients, "172.18.0.5", "6.6.6.6, 198.51.100.7", "10.1.2.3"));
        // a peer that is not trusted cannot speak for anyone
        assertEquals("192.0.2.1", client(clients, "192.0.2.1", "198.51.100.7"));
        // no header: the proxy itself
        assertEquals("172.18.0.5", client(clients, "172.18.0.5"));
        // garbage to the right: the last hop vouched for
        assertEquals("172.18.0.5", client(clients, "172.18.0.5", "198.51.100.7, not-an-ip"));
        assertEquals("198.51.100.7", client(clients, "172.18.0.5", "[2001:db8::1]:443, 198.51.100.7:5555"));
    }

    @Test
    void ipv6ClientsAreKeyedByTheirSlash64() {
        ClientAddress clients = ClientAddress.parse("::1");
        assertEquals("2001:db8:1:2:0:0:0:0/64", client(clients, "::1", "2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
        assertEquals("2001:db8:1:2:0:0:0:0/64", client(clients, "2001:db8:1:2::99"));
        assertEquals("2001:db8:1:3:0:0:0:0/64", client(clients, "2001:db8:1:3::1"));
    }

    @Test
    void aMalformedEntryFailsTheBootNamingIt() {
        for (String bad : List.of("10.0.0.0/33", "proxy.example.org", "10.0.0.0/x", "::/129")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientAddress.parse(bad));
            assertEquals(true, e.getMessage().contains(bad), e.getMessage());
        }
    }
}
