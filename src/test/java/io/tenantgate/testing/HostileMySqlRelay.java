package io.tenantgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A hostile MySQL peer: a loopback relay in front of a real MariaDB that, for the commands it
 * chooses, answers with a LOCAL INFILE request for a canary file instead of passing the command on,
 * then ends the command with an error. It records every byte the client sends, so a test can tell
 * whether the canary's content ever left the client, and which commands the client sent.
 *
 * <p>The handshake and every command it does not attack pass through untouched. Client packets
 * with sequence id 0 are commands (the handshake's own client packets start at 1).
 */
public final class HostileMySqlRelay implements AutoCloseable {

    public static final int COM_QUERY = 0x03;
    public static final int COM_STMT_PREPARE = 0x16;
    public static final int COM_STMT_EXECUTE = 0x17;
    /** Commands that get no answer from a server, so there is nothing to replace. */
    private static final Set<Integer> UNANSWERED = Set.of(0x01, 0x18, 0x19); // QUIT, SEND_LONG_DATA, STMT_CLOSE

    /** Which commands are answered with a file request. */
    public enum Mode {
        /** None: a plain relay. */
        PASS,
        /** Every answered command. */
        ALWAYS,
        /**
         * About one answered command in three, drawn from a seeded random sequence, so the client gets
         * further and sends its other statements (a fixed rhythm would hit the same statement of every
         * connection).
         */
        ONE_IN_THREE
    }

    private final String targetHost;
    private final int targetPort;
    private final Path canary;
    private final byte[] marker;
    private final ServerSocket listener;
    private final AtomicBoolean leaked = new AtomicBoolean();
    private final Map<Integer, LongAdder> seen = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> attacked = new ConcurrentHashMap<>();
    private final List<String> attackedStatements = new CopyOnWriteArrayList<>();
    private final java.util.Random draws = new java.util.Random(20261201);
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.PASS;

    /**
     * @param canary a file whose content contains {@code marker}; the relay asks for it by its
     *               absolute path
     */
    public HostileMySqlRelay(String targetHost, int targetPort, Path canary, String marker) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.canary = canary.toAbsolutePath();
        this.marker = marker.getBytes(StandardCharsets.UTF_8);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("hostile-relay-accept").start(this::acceptLoop);
    }

    public int port() {
        return listener.getLocalPort();
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    /** Whether any byte sequence the client sent contained the canary's marker. */
    public boolean leaked() {
        return leaked.get();
    }

    public long seen(int command) {
        LongAdder count = seen.get(command);
        return count == null ? 0 : count.sum();
    }

    public long attacked(int command) {
        LongAdder count = attacked.get(command);
        return count == null ? 0 : count.sum();
    }

    /** The SQL of every prepared or text statement that got a file request instead of an answer. */
    public List<String> attackedStatements() {
        return List.copyOf(attackedStatements);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(server);
                Connection connection = new Connection(client, server);
                Thread.ofVirtual().name("hostile-relay-up").start(connection::clientToServer);
                Thread.ofVirtual().name("hostile-relay-down").start(connection::serverToClient);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** One relayed client connection. */
    private final class Connection {
        private final Socket client;
        private final Socket server;
        private final Object clientWrites = new Object();
        private final Map<Integer, String> statements = new ConcurrentHashMap<>();
        private volatile String pendingPrepare;

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void clientToServer() {
            try (client; server) {
                InputStream in = client.getInputStream();
                OutputStream out = server.getOutputStream();
                while (true) {
                    Packet packet = Packet.read(in);
                    if (packet == null) {
                        return;
                    }
                    inspect(packet);
                    if (packet.sequence() == 0 && packet.payload().length > 0) {
                        int command = packet.payload()[0] & 0xFF;
                        seen.computeIfAbsent(command, c -> new LongAdder()).increment();
                        if (!UNANSWERED.contains(command) && chooses()) {
                            attack(command, packet, in);
                            continue;
                        }
                        if (command == COM_STMT_PREPARE) {
                            pendingPrepare = text(packet);
                        }
                    }
                    packet.write(out);
                }
            } catch (IOException e) {
                // either side went away
            }
        }

        void serverToClient() {
            try (client; server) {
                InputStream in = server.getInputStream();
                OutputStream out = client.getOutputStream();
                while (true) {
                    Packet packet = Packet.read(in);
                    if (packet == null) {
                        return;
                    }
                    String preparing = pendingPrepare;
                    if (preparing != null && packet.sequence() == 1) {
                        pendingPrepare = null;
                        byte[] p = packet.payload();
                        if (p.length >= 5 && p[0] == 0) { // COM_STMT_PREPARE_OK: statement id follows
                            int id = (p[1] & 0xFF) | (p[2] & 0xFF) << 8 | (p[3] & 0xFF) << 16 | (p[4] & 0xFF) << 24;
                            statements.put(id, preparing);
                        }
                    }
                    synchronized (clientWrites) {
                        packet.write(out);
                    }
                }
            } catch (IOException e) {
                // either side went away
            }
        }

        private boolean chooses() {
            return switch (mode) {
                case PASS -> false;
                case ALWAYS -> true;
                case ONE_IN_THREE -> {
                    synchronized (draws) {
                        yield draws.nextInt(3) == 0;
                    }
                }
            };
        }

        /**
         * Asks for the canary instead of answering, reads whatever the client sends back (a
         * well-behaved client sends nothing, or one empty packet to decline), then ends the command
         * with an error.
         */
        private void attack(int command, Packet packet, InputStream in) throws IOException {
            attacked.computeIfAbsent(command, c -> new LongAdder()).increment();
            attackedStatements.add(describe(command, packet));
            byte[] path = canary.toString().getBytes(StandardCharsets.UTF_8);
            byte[] request = new byte[path.length + 1];
            request[0] = (byte) 0xFB;
            System.arraycopy(path, 0, request, 1, path.length);
            synchronized (clientWrites) {
                new Packet(1, request).write(client.getOutputStream());
            }
            int last = 1;
            client.setSoTimeout(150);
            try {
                while (true) {
                    Packet reply = Packet.read(in);
                    if (reply == null) {
                        return;
                    }
                    inspect(reply);
                    last = reply.sequence();
                    if (reply.payload().length == 0) {
                        break; // end of the file, or a refusal
                    }
                }
            } catch (SocketTimeoutException silent) {
                // the client sent nothing: it did not take the request as one
            } finally {
                client.setSoTimeout(0);
            }
            byte[] message = "hostile relay: no answer for you".getBytes(StandardCharsets.UTF_8);
            byte[] error = new byte[9 + message.length];
            error[0] = (byte) 0xFF;
            error[1] = (byte) (1148 & 0xFF);
            error[2] = (byte) (1148 >> 8);
            error[3] = '#';
            System.arraycopy("42000".getBytes(StandardCharsets.US_ASCII), 0, error, 4, 5);
            System.arraycopy(message, 0, error, 9, message.length);
            synchronized (clientWrites) {
                new Packet(last + 1, error).write(client.getOutputStream());
            }
        }

        private String describe(int command, Packet packet) {
            return switch (command) {
                case COM_QUERY -> "QUERY " + text(packet);
                case COM_STMT_PREPARE -> "PREPARE " + text(packet);
                case COM_STMT_EXECUTE -> {
                    byte[] p = packet.payload();
                    int id = p.length >= 5
                            ? (p[1] & 0xFF) | (p[2] & 0xFF) << 8 | (p[3] & 0xFF) << 16 | (p[4] & 0xFF) << 24 : -1;
                    yield "EXECUTE " + statements.getOrDefault(id, "#" + id);
                }
                default -> "COMMAND 0x" + Integer.toHexString(command);
            };
        }

        private void inspect(Packet packet) {
            if (contains(packet.payload(), marker)) {
                leaked.set(true);
            }
        }
    }

    private static String text(Packet packet) {
        return new String(packet.payload(), 1, packet.payload().length - 1, StandardCharsets.UTF_8);
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** One MySQL packet: a 3-byte little-endian length, a sequence id, the payload. */
    private record Packet(int sequence, byte[] payload) {

        static Packet read(InputStream in) throws IOException {
            byte[] header = in.readNBytes(4);
            if (header.length < 4) {
                return null;
            }
            int length = (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16;
            byte[] payload = in.readNBytes(length);
            if (payload.length < length) {
                return null;
            }
            return new Packet(header[3] & 0xFF, payload);
        }

        void write(OutputStream out) throws IOException {
            byte[] framed = new byte[payload.length + 4];
            framed[0] = (byte) payload.length;
            framed[1] = (byte) (payload.length >> 8);
            framed[2] = (byte) (payload.length >> 16);
            framed[3] = (byte) sequence;
            System.arraycopy(payload, 0, framed, 4, payload.length);
            out.write(framed);
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        List<Socket> open = new ArrayList<>(sockets);
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
