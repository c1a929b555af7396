package io.tenantgate.control.security;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.PackagedReplica;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged application's HTTP limits, over raw sockets: an oversized header is 431, an
 * oversized request line 414, and connections beyond {@code quarkus.http.limits.max-connections}
 * are closed unanswered while the ones already open keep being served, and probes on the
 * management port keep answering.
 */
@QuarkusIntegrationTest
class HttpLimitsIT {

    private static final int LIMIT = 4;

    @Test
    void oversizedHeadersAndLinesAreRefusedAndConnectionsBeyondTheLimitAreClosedWhileOthersAreServed()
            throws Exception {
        try (PackagedReplica replica = PackagedReplica.start("limits",
                Map.of("quarkus.http.limits.max-connections", Integer.toString(LIMIT)))) {
            try (Socket socket = new Socket("localhost", replica.port())) {
                assertEquals("431", status(socket, "GET /api/customers HTTP/1.1\r\nHost: x\r\nX-Big: "
                        + "a".repeat(30_000) + "\r\n\r\n"), "a 30 KB header");
            }
            try (Socket socket = new Socket("localhost", replica.port())) {
                assertEquals("414", status(socket, "GET /api/customers?q=" + "a".repeat(5_000)
                        + " HTTP/1.1\r\nHost: x\r\n\r\n"), "a 5 KB request line");
            }

            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < LIMIT; i++) {
                    Socket socket = new Socket("localhost", replica.port());
                    open.add(socket);
                    assertEquals("401", status(socket, request()), "connection " + (i + 1) + " of " + LIMIT);
                }
                try (Socket extra = new Socket("localhost", replica.port())) {
                    assertNull(status(extra, request()), "a connection beyond the limit is closed unanswered");
                }
                for (Socket socket : open) {
                    assertEquals("401", status(socket, request()), "an open connection is still served");
                }
                assertEquals(200, replica.managementStatus("/q/health/live"), "probes answer at the limit");
                open.remove(0).close();
                assertTrue(Await.until(() -> {
                    try (Socket next = new Socket("localhost", replica.port())) {
                        return "401".equals(status(next, request()));
                    } catch (IOException e) {
                        return false;
                    }
                }, 5), "a closed connection frees its place");
            } finally {
                for (Socket socket : open) {
                    socket.close();
                }
            }
        }
    }

    private static String request() {
        return "GET /api/customers HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    /** Sends one request and reads its answer's status code, or null if the connection ended first. */
    private static String status(Socket socket, String request) throws IOException {
        socket.setSoTimeout(5_000);
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        String head;
        try {
            head = readHead(in);
        } catch (IOException reset) {
            return null;
        }
        if (head == null) {
            return null;
        }
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        in.readNBytes(length);
        return head.split(" ")[1];
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return head.size() == 0 ? null : head.toString(StandardCharsets.US_ASCII);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
