package io.dataland.auth.account;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import io.helidon.webserver.http.ServerRequest;

/** The client address the throttle counts: the TCP peer, never a header a client can set. */
public final class ClientAddress {

    private ClientAddress() {
    }

    /** The peer's IP address as text. */
    public static String of(ServerRequest req) {
        SocketAddress address = req.remotePeer().address();
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }
}
