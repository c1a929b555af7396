package io.tenantgate.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake PostgreSQL server on loopback that asks every client for its password in clear text and
 * records what it gets, then refuses the login: what a server an operator points a tenant at
 * could do to harvest passwords. Answers an SSL request with "no".
 */
public final class FakePostgresServer implements AutoCloseable {

    private static final int SSL_REQUEST = 80877103;

    private final ServerSocket listener;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> passwords = new CopyOnWriteArrayList<>();

    public FakePostgresServer() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("fake-postgres").start(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(client));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** TCP connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Every password a client sent. */
    public List<String> passwords() {
        return List.copyOf(passwords);
    }

    private void serve(Socket socket) {
        try (socket) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            int length = in.readInt();
            int code = in.readInt();
            in.skipNBytes(length - 8);
            if (code == SSL_REQUEST) {
                out.writeByte('N');
                out.flush();
                length = in.readInt();
                in.skipNBytes(length - 4);
            }
            out.writeByte('R'); // AuthenticationCleartextPassword
            out.writeInt(8);
            out.writeInt(3);
            out.flush();
            if (in.readByte() != 'p') {
                return;
            }
            byte[] body = in.readNBytes(in.readInt() - 4);
            passwords.add(new String(body, 0, Math.max(0, body.length - 1), StandardCharsets.UTF_8));
            byte[] fields = "SFATAL\0C28P01\0Mpassword authentication failed\0\0".getBytes(StandardCharsets.UTF_8);
            out.writeByte('E');
            out.writeInt(fields.length + 4);
            out.write(fields);
            out.flush();
        } catch (IOException e) {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
