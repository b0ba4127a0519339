package io.dataland.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests a server may answer before it has read them: a body past
 * the server's drain limit gets its 413 and the connection closed while the client is still sending. A
 * regular client (java.net.http) then fails the whole exchange on the broken pipe and never shows the
 * answer, so a test of the limit flakes. Here the request is written by its own thread, which stops
 * quietly when the server closes, while the caller reads one answer: the test sees what the server said,
 * every time. {@link #open} keeps one connection for several requests, to show whether it survived.
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
            // one answer, framed by its length: the server may keep the connection open after it
            Answer answer = readOne(new java.io.BufferedInputStream(socket.getInputStream()));
            socket.close(); // a writer still blocked on a body the server will not read stops here
            writer.join();
            return answer;
        }
    }

    /** A kept-alive connection to 127.0.0.1:{@code port}, for several requests in turn on one socket. */
    public static KeepAlive open(int port) throws IOException {
        return new KeepAlive(port);
    }

    /**
     * One socket, requests sent one after the other: each request is written by its own thread while the
     * caller reads exactly one answer (framed by {@code Content-Length} or chunks), so a server that answers
     * before it has read the body shows what it said, and whether the connection survived shows on the
     * next request. A lost connection is an {@link IOException} naming what was lost.
     */
    public static final class KeepAlive implements AutoCloseable {

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private KeepAlive(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        /**
         * Sends {@code method path} with {@code headers} (each character one byte, ISO-8859-1, so a test can
         * send any byte in a header) and {@code body} (null: none; else with
         * {@code Content-Length}, or chunked when {@code chunked}) and reads its answer.
         *
         * @throws IOException the connection was closed or reset before the whole answer came, or the
         *                     request could not be written whole (the server closed while it was sent)
         */
        public Answer send(String method, String path, Map<String, String> headers, byte[] body, boolean chunked)
                throws IOException, InterruptedException {
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + socket.getPort()
                    + "\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            if (body != null) {
                head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n");
            }
            head.append("\r\n");
            IOException[] writeFailure = new IOException[1];
            Thread writer = Thread.ofVirtual().name("raw-http-keepalive-writer").start(() -> {
                try {
                    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                    if (body != null && chunked) {
                        out.write((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(body);
                        out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    } else if (body != null) {
                        out.write(body);
                    }
                    out.flush();
                } catch (IOException e) {
                    writeFailure[0] = e;
                }
            });
            Answer answer;
            try {
                answer = readOne(in);
            } finally {
                writer.join();
            }
            if (writeFailure[0] != null) {
                throw new IOException("the answer came (" + answer.status() + ") but the request could not be "
                        + "written whole: " + writeFailure[0], writeFailure[0]);
            }
            return answer;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    // one answer, framed by its Content-Length or chunks (this client asks for no other framing)
    private static Answer readOne(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!endsWithBlankLine(head)) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before an answer; got: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        raw.writeBytes(head.toByteArray());
        Answer headers = parseHead(head.toString(StandardCharsets.ISO_8859_1));
        String length = headers.headers().get("content-length");
        if (length != null) {
            raw.writeBytes(in.readNBytes(Integer.parseInt(length)));
        } else if ("chunked".equalsIgnoreCase(headers.headers().get("transfer-encoding"))) {
            while (true) {
                String line = line(in);
                raw.writeBytes((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                int size = Integer.parseInt(line.split(";")[0].trim(), 16);
                raw.writeBytes(in.readNBytes(size + 2));
                if (size == 0) {
                    break;
                }
            }
        }
        return parse(raw.toByteArray());
    }

    // status and headers (lower-case names) of an answer's head, the body left empty
    private static Answer parseHead(String text) throws IOException {
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
        return new Answer(status, headers, "");
    }

    private static boolean endsWithBlankLine(ByteArrayOutputStream head) {
        byte[] b = head.toByteArray();
        int n = b.length;
        return n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n';
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("connection closed inside a chunked answer");
            }
            if (b != '\r') {
                s.append((char) b);
            }
        }
        return s.toString();
    }

    private static Answer parse(byte[] raw) throws IOException {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        Answer head = parseHead(text);
        int status = head.status();
        Map<String, String> headers = head.headers();
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
