package dev.lstmrec.serve;

// The load generator's client side: C keep-alive HTTP/1.1 connections driven by one thread over a selector, each
// with one request outstanding (a closed loop: the next request goes out when the answer is in). The generator shares
// the machine's cores with the server it measures, so it must cost little: the JDK HttpClient took 145% of a core
// against the server's 86% for single-event POSTs (its selector thread and executor hand every exchange between
// threads), and C blocking threads still spend a wake-up per answer segment; one selector thread, like wrk, does not.
// Checked by LoadTestTest (every load test runs through it, errors and /events included) and LoadDriverTest.

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Sends a workload's requests over C connections until a deadline or a request count, recording every answer. */
final class LoadDriver {
    /** A request unanswered for this long counts as an error (its connection is closed and reopened). */
    static final long REQUEST_TIMEOUT_NANOS = 30_000_000_000L;
    /** Largest answer head (status line and headers) and body accepted from the server. */
    private static final int MAX_HEAD = 64 * 1024, MAX_BODY = 64 << 20;

    /** Where each answer goes: latency, when it came (since the start), path, events acknowledged (-1: error). */
    interface Recorder {
        void record(int connection, long nanos, long when, String path, int events, String error);
    }

    /** Hands out tickets; -1 when no request is left to send. */
    interface Tickets {
        long next();
    }

    private final InetSocketAddress address;
    private final String hostHeader;
    private final String token;

    LoadDriver(URI base, String token) {
        int port = base.getPort() < 0 ? 80 : base.getPort();
        this.address = new InetSocketAddress(base.getHost(), port);
        this.hostHeader = base.getHost() + ":" + port;
        this.token = token;
    }

    /** Runs {@code connections} closed-loop clients until {@code tickets} runs out and every answer is in. */
    void run(int connections, LoadTest.Workload workload, Tickets tickets, long start, Recorder recorder) throws IOException {
        try (Selector selector = Selector.open()) {
            Client[] clients = new Client[connections];
            int active = 0;
            for (int c = 0; c < connections; c++) {
                clients[c] = new Client(c, selector, workload, tickets, start, recorder);
                if (clients[c].begin()) active++;
            }
            while (active > 0) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    Client client = (Client) key.attachment();
                    if (!client.ready(key)) active--;
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                for (Client client : clients) {
                    if (client.overdue(now) && !client.fail("no answer within " + REQUEST_TIMEOUT_NANOS / 1_000_000_000L + " s")) active--;
                }
            }
            for (Client client : clients) client.close();
        }
    }

    private byte[] encode(LoadTest.Request r) {
        byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(160).append("POST ").append(r.path()).append(" HTTP/1.1\r\nHost: ").append(hostHeader)
                .append("\r\nContent-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        if (token != null) h.append("Authorization: Bearer ").append(token).append("\r\n");
        byte[] head = h.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }

    /** One connection and its request in flight. */
    private final class Client {
        private final int id;
        private final Selector selector;
        private final LoadTest.Workload workload;
        private final Tickets tickets;
        private final long start;
        private final Recorder recorder;
        private SocketChannel channel;
        private SelectionKey key;
        private ByteBuffer out;
        private ByteBuffer in = ByteBuffer.allocate(4096);
        private LoadTest.Request request;
        private long sentAt;
        private int headEnd = -1, status;
        private long length;
        private boolean closeAfter;

        Client(int id, Selector selector, LoadTest.Workload workload, Tickets tickets, long start, Recorder recorder) {
            this.id = id;
            this.selector = selector;
            this.workload = workload;
            this.tickets = tickets;
            this.start = start;
            this.recorder = recorder;
        }

        /** Sends the next request; false when none is left (the connection is closed). A refused send is recorded. */
        boolean begin() {
            while (true) {
                long ticket = tickets.next();
                if (ticket < 0) {
                    close();
                    return false;
                }
                request = workload.request(ticket);
                out = ByteBuffer.wrap(encode(request));
                in.clear();
                headEnd = -1;
                sentAt = System.nanoTime();
                try {
                    if (channel == null) open();
                    channel.write(out);
                    key.interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                    return true;
                } catch (IOException e) {
                    recordFailure(e.toString());
                }
            }
        }

        private void open() throws IOException {
            SocketChannel ch = SocketChannel.open();
            try {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.connect(address); // blocking: a loopback connect is immediate
                ch.configureBlocking(false);
                key = ch.register(selector, 0, this);
                channel = ch;
            } catch (IOException e) {
                ch.close();
                throw e;
            }
        }

        /** Handles readiness; false when this client has finished. */
        boolean ready(SelectionKey k) {
            if (!k.isValid()) return true; // cancelled when this client dropped its connection
            try {
                if (k.isWritable()) {
                    channel.write(out);
                    if (!out.hasRemaining()) key.interestOps(SelectionKey.OP_READ);
                    return true;
                }
                if (!k.isReadable()) return true;
                if (!in.hasRemaining()) in = grow(in);
                if (channel.read(in) < 0) {
                    throw new EOFException(in.position() == 0 ? "connection closed by the server before it answered"
                            : "connection closed in the middle of the answer");
                }
                if (!answered()) return true;
                String body = new String(in.array(), headEnd, (int) length, StandardCharsets.UTF_8);
                long now = System.nanoTime();
                recorder.record(id, now - sentAt, now - start, request.path(), status == 200 ? request.events() : -1,
                        status == 200 ? null : "HTTP " + status + ": " + body);
                request = null;
                if (closeAfter) close();
                return begin();
            } catch (IOException e) {
                return fail(e.toString());
            }
        }

        /** Parses what has arrived; true when the whole answer is in. */
        private boolean answered() throws IOException {
            if (headEnd < 0) {
                int end = indexOfBlankLine(in.array(), in.position());
                if (end < 0) {
                    if (in.position() >= MAX_HEAD) throw new IOException("answer head longer than " + MAX_HEAD + " bytes");
                    return false;
                }
                parseHead(new String(in.array(), 0, end, StandardCharsets.ISO_8859_1));
                headEnd = end + 4;
                if (headEnd + length > in.capacity()) in = grow(in, (int) (headEnd + length));
            }
            if (in.position() > headEnd + length) throw new IOException("more bytes than the answer's Content-Length");
            return in.position() == headEnd + length;
        }

        private void parseHead(String head) throws IOException {
            String[] lines = head.split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) throw new IOException("not an HTTP answer: " + clip(lines[0]));
            try {
                status = Integer.parseInt(statusLine[1]);
            } catch (NumberFormatException e) {
                throw new IOException("bad status line: " + clip(lines[0]));
            }
            length = -1;
            closeAfter = false;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon < 0) throw new IOException("bad header line: " + clip(lines[i]));
                String name = lines[i].substring(0, colon).trim(), value = lines[i].substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    try {
                        length = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IOException("bad Content-Length: " + clip(value));
                    }
                } else if (name.equalsIgnoreCase("Connection")) {
                    closeAfter = value.equalsIgnoreCase("close");
                }
            }
            if (length < 0 || length > MAX_BODY) throw new IOException("answer without a usable Content-Length (" + length + ")");
        }

        boolean overdue(long now) {
            return request != null && now - sentAt > REQUEST_TIMEOUT_NANOS;
        }

        /** Records the request in flight as an error, drops the connection, and goes on; false when finished. */
        boolean fail(String error) {
            recordFailure(error);
            return begin();
        }

        private void recordFailure(String error) {
            long now = System.nanoTime();
            if (request != null) recorder.record(id, now - sentAt, now - start, request.path(), -1, error);
            request = null;
            close();
        }

        void close() {
            if (channel == null) return;
            try {
                key.cancel();
                channel.close();
            } catch (IOException ignored) { // nothing left to release
            }
            channel = null;
            key = null;
        }
    }

    /** Index of the "\r\n\r\n" that ends an answer's head within {@code b[0, n)}, or -1. */
    static int indexOfBlankLine(byte[] b, int n) {
        for (int i = 0; i + 3 < n; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') return i;
        }
        return -1;
    }

    private static ByteBuffer grow(ByteBuffer b) {
        return grow(b, b.capacity() * 2);
    }

    private static ByteBuffer grow(ByteBuffer b, int capacity) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(capacity, b.capacity()));
        b.flip();
        return bigger.put(b);
    }

    private static String clip(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
