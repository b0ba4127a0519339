package io.dataland.auth.account;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

import io.dataland.kit.config.Settings;
import io.helidon.webserver.http.ServerRequest;

/**
 * The client address the throttle counts. By default the TCP peer, never a header a client can set.
 * Behind a reverse proxy every peer is the proxy, so with {@code TRUSTED_PROXIES} (a comma-separated CIDR
 * list, default none) a request whose peer is trusted is keyed by its {@code X-Forwarded-For}: the
 * rightmost hop that is not itself a trusted proxy (hops to its left were written by the client and can
 * be anything). IPv6 clients are keyed by their /64, the smallest block one subscriber usually holds, so
 * rotating through a prefix does not reset the count.
 */
public final class ClientAddress {

    private final List<Cidr> trusted;

    private ClientAddress(List<Cidr> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    /** No trusted proxies: always the TCP peer. */
    public static ClientAddress peerOnly() {
        return new ClientAddress(List.of());
    }

    /** From {@code TRUSTED_PROXIES}; a malformed entry fails the boot, naming it. */
    public static ClientAddress from(Settings settings) {
        return parse(settings.find("TRUSTED_PROXIES").orElse(""));
    }

    /** From a comma-separated CIDR list ({@code 10.0.0.0/8, fd00::/8, 172.18.0.5}). */
    public static ClientAddress parse(String cidrs) {
        List<Cidr> list = new ArrayList<>();
        for (String entry : cidrs.split(",")) {
            if (!entry.isBlank()) {
                list.add(Cidr.parse(entry.strip()));
            }
        }
        return new ClientAddress(list);
    }

    /** The key for {@code req}'s client. */
    public String of(ServerRequest req) {
        SocketAddress address = req.remotePeer().address();
        if (!(address instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return String.valueOf(address);
        }
        return key(resolve(inet.getAddress(), req.headers().values(io.helidon.http.HeaderNames.X_FORWARDED_FOR)));
    }

    /** The client behind {@code peer} given the {@code X-Forwarded-For} header values (oldest first). */
    InetAddress resolve(InetAddress peer, List<String> forwardedFor) {
        if (!isTrusted(peer)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String value : forwardedFor) {
            for (String hop : value.split(",")) {
                hops.add(hop.strip());
            }
        }
        InetAddress client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = literal(hops.get(i));
            if (hop == null) {
                return client; // garbage written by someone: the last hop we can vouch for is the client
            }
            client = hop;
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return client;
    }

    /** IPv4 as is, IPv6 as its /64 ({@code 2001:db8:1:2::/64}). */
    static String key(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] bytes = address.getAddress();
            for (int i = 8; i < 16; i++) {
                bytes[i] = 0;
            }
            try {
                return InetAddress.getByAddress(bytes).getHostAddress() + "/64";
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return address.getHostAddress();
    }

    private boolean isTrusted(InetAddress address) {
        return trusted.stream().anyMatch(cidr -> cidr.contains(address));
    }

    /** An IP literal (optionally {@code [v6]:port} or {@code v4:port}), never a DNS lookup; null if not one. */
    static InetAddress literal(String text) {
        String t = text;
        if (t.startsWith("[")) {
            int end = t.indexOf(']');
            if (end < 0) {
                return null;
            }
            t = t.substring(1, end);
        } else if (t.indexOf(':') > 0 && t.indexOf(':') == t.lastIndexOf(':')) {
            t = t.substring(0, t.indexOf(':')); // v4:port
        }
        // only text made of address characters reaches getByName, which resolves nothing for a literal
        boolean v4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}")
                && java.util.Arrays.stream(t.split("\\.")).allMatch(octet -> Integer.parseInt(octet) <= 255);
        boolean v6 = t.contains(":") && t.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(t);
        } catch (java.net.UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }

    /** A network: address and prefix length. */
    record Cidr(byte[] network, int bits) {

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            InetAddress address = literal(slash < 0 ? text : text.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("TRUSTED_PROXIES: '" + text + "' is not an address or CIDR");
            }
            int max = address instanceof Inet4Address ? 32 : 128;
            int bits;
            try {
                bits = slash < 0 ? max : Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > max) {
                throw new IllegalArgumentException("TRUSTED_PROXIES: '" + text + "' has a bad prefix length");
            }
            return new Cidr(address.getAddress(), bits);
        }

        boolean contains(InetAddress address) {
            byte[] candidate = address.getAddress();
            if (candidate.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((candidate[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
