package dev.lstmrec.serve;

// LoadDriver against a scripted raw-socket server: answers trickled a byte at a time, Connection: close, a connection
// dropped before the answer, and a non-200 answer; every request is recorded once, with the right outcome, and the
// server receives every request body whole.

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadDriverTest {
    /** What the scripted server does with its n-th request (0-based, across connections). */
    private enum Reply { TRICKLE, CLOSE_AFTER, DROP, ERROR_418 }

    private static Reply script(int n) {
        return switch (n % 7) {
            case 2 -> Reply.CLOSE_AFTER;
            case 4 -> Reply.DROP;
            case 5 -> Reply.ERROR_418;
            default -> Reply.TRICKLE;
        };
    }

    @Test
    void everyRequestIsRecordedOnceWithItsOutcome() throws Exception {
        int requests = 70;
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger served = new AtomicInteger();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket s = listener.accept();
                        Thread t = new Thread(() -> serve(s, served, received));
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();

            URI base = URI.create("http://127.0.0.1:" + listener.getLocalPort());
            AtomicLong issued = new AtomicLong();
            LoadDriver.Tickets tickets = () -> {
                long t = issued.getAndIncrement();
                return t < requests ? t : -1;
            };
            LoadTest.Workload workload = t -> new LoadTest.Request("/events", "{\"n\": " + t + ", \"pad\": \"" + "é".repeat((int) t) + "\"}", 1);
            List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
            new LoadDriver(base, "secret").run(3, workload, tickets, System.nanoTime(),
                    (c, nanos, when, path, events, error) -> {
                        assertEquals("/events", path);
                        assertTrue(nanos >= 0 && when >= 0);
                        assertTrue(events == 1 ? error == null : events == -1 && error != null, events + " " + error);
                        outcomes.add(error == null ? "ok" : error);
                    });

            assertEquals(requests, outcomes.size(), "each request recorded once");
            assertEquals(requests, received.size(), "the server read every request");
            long ok = 0, dropped = 0, teapots = 0;
            for (String o : outcomes) {
                if (o.equals("ok")) ok++;
                else if (o.contains("closed by the server before it answered")) dropped++;
                else if (o.equals("HTTP 418: {\"error\": \"teapot\"}")) teapots++;
                else throw new AssertionError("unexpected outcome " + o);
            }
            assertEquals(10, dropped);
            assertEquals(10, teapots);
            assertEquals(50, ok);
            for (String body : received) {
                assertTrue(body.startsWith("{\"n\": ") && body.endsWith("\"}"), body);
                int n = Integer.parseInt(body.substring(6, body.indexOf(',')));
                assertEquals("é".repeat(n), body.substring(body.indexOf("\"pad\": \"") + 8, body.length() - 2));
            }
        }
    }

    @Test
    void nothingToSendSendsNothing() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<String> outcomes = new ArrayList<>();
            new LoadDriver(URI.create("http://127.0.0.1:" + listener.getLocalPort()), null)
                    .run(4, t -> new LoadTest.Request("/x", "{}", 0), () -> -1, System.nanoTime(),
                            (c, nanos, when, path, events, error) -> outcomes.add(error));
            assertEquals(List.of(), outcomes);
        }
    }

    @Test
    void aRefusedConnectionIsAnErrorPerRequest() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        AtomicLong issued = new AtomicLong();
        List<String> outcomes = new ArrayList<>();
        new LoadDriver(URI.create("http://127.0.0.1:" + port), null).run(2, t -> new LoadTest.Request("/x", "{}", 0),
                () -> issued.get() < 5 ? issued.getAndIncrement() : -1, System.nanoTime(),
                (c, nanos, when, path, events, error) -> outcomes.add(error));
        assertEquals(5, outcomes.size());
        for (String e : outcomes) assertTrue(e.contains("Connection refused"), e);
    }

    @Test
    void findsTheEndOfTheHead() {
        byte[] b = "HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(21, LoadDriver.indexOfBlankLine(b, b.length));
        assertEquals(21, LoadDriver.indexOfBlankLine(b, 25));
        assertEquals(-1, LoadDriver.indexOfBlankLine(b, 24));
        assertEquals(-1, LoadDriver.indexOfBlankLine(new byte[0], 0));
    }

    /** Reads requests off one connection and answers them as the script says. */
    private static void serve(Socket s, AtomicInteger served, List<String> received) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            s.setTcpNoDelay(true);
            while (true) {
                String head = readHead(in);
                if (head == null) return;
                assertTrue(head.startsWith("POST /events HTTP/1.1\r\n"), head);
                assertTrue(head.contains("\r\nAuthorization: Bearer secret\r\n"), head);
                int length = Integer.parseInt(head.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
                byte[] body = in.readNBytes(length);
                received.add(new String(body, StandardCharsets.UTF_8));
                Reply reply = script(served.getAndIncrement());
                if (reply == Reply.DROP) return;
                String text = reply == Reply.ERROR_418 ? "{\"error\": \"teapot\"}" : "{\"accepted\": 1}";
                byte[] answer = ((reply == Reply.ERROR_418 ? "HTTP/1.1 418 I'm a teapot\r\n" : "HTTP/1.1 200 OK\r\n")
                        + "Content-Type: application/json\r\nContent-Length: " + text.getBytes(StandardCharsets.UTF_8).length
                        + (reply == Reply.CLOSE_AFTER ? "\r\nConnection: close" : "") + "\r\n\r\n" + text).getBytes(StandardCharsets.UTF_8);
                if (reply == Reply.TRICKLE) {
                    for (byte b : answer) {
                        out.write(b);
                        out.flush();
                    }
                } else {
                    out.write(answer);
                    out.flush();
                }
                if (reply == Reply.CLOSE_AFTER) return;
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b, matched = 0;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
            if (matched == 4) return head.toString(StandardCharsets.ISO_8859_1);
        }
        assertNull(head.size() == 0 ? null : head.toString(StandardCharsets.ISO_8859_1), "request cut off");
        return null;
    }
}
