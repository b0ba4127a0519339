package io.dataland.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests a server may answer before it has read them: an over-limit
 * body gets its 413 and the connection closed while the client is still sending. A regular client
 * (java.net.http) then fails the whole exchange on the broken pipe and never shows the answer, so a test
 * of the limit flakes. Here the request is written by its own thread, which stops quietly when the
 * server closes, while the caller reads the answer: the test sees what the server said, every time.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /** An answer: status, headers (lower-case names) and the body, de-chunked. */
    public record Answer(int status, Map<String, String> headers, String body) {
    }

    /**
     * POSTs {@code body} to {@code path} on 127.0.0.1:{@code port} with {@code Connection: close}.
     *
     * @param chunked true: {@code Transfer-Encoding: chunked} (the server learns the size only by reading);
     *                false: {@code Content-Length}
     */
    public static Answer post(int port, String path, Map<String, String> headers, byte[] body, boolean chunked)
            throws IOException, InterruptedException {
        StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nConnection: close\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n").append("\r\n");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            Thread writer = Thread.ofVirtual().name("raw-http-writer").start(() -> {
                try {
                    out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
                    if (chunked) {
                        out.write((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(body);
                        out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    } else {
                        out.write(body);
                    }
                    out.flush();
                } catch (IOException e) {
                    // the server answered and closed before taking the whole body: expected, the answer is read below
                }
            });
            byte[] raw = readAll(socket.getInputStream());
            writer.join();
            return parse(raw);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                all.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("no complete answer within 30 s; got: " + all.toString(StandardCharsets.UTF_8), e);
        } catch (IOException e) {
            // a reset after the answer arrived (the server dropped our unread bytes): keep what came
            if (all.size() == 0) {
                throw e;
            }
        }
        return all.toByteArray();
    }

    private static Answer parse(byte[] raw) throws IOException {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            throw new IOException("not an HTTP answer: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String body = text.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            StringBuilder joined = new StringBuilder();
            int at = 0;
            while (true) {
                int eol = body.indexOf("\r\n", at);
                int size = Integer.parseInt(body.substring(at, eol).split(";")[0].trim(), 16);
                if (size == 0) {
                    break;
                }
                joined.append(body, eol + 2, eol + 2 + size);
                at = eol + 2 + size + 2;
            }
            body = joined.toString();
        }
        return new Answer(status, headers, new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }
}
