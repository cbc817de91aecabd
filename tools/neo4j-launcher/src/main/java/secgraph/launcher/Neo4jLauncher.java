package secgraph.launcher;

import static org.neo4j.configuration.GraphDatabaseSettings.DEFAULT_DATABASE_NAME;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.SettingValueParsers;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

/**
 * Runs a Neo4j Community DBMS embedded in this JVM and serves it over Bolt on 127.0.0.1, so tests
 * get a real server without Docker or a Neo4j distribution tarball.
 *
 * <p>Usage: {@code --store DIR --port N [--pagecache 256m] [--watch-stdin]}
 *
 * <p>Protocol with the parent process: exactly one line {@code NEO4J READY bolt://127.0.0.1:PORT}
 * on stdout once Bolt accepts connections; everything else goes to stderr or to Neo4j's own logs
 * under {@code DIR/logs}. SIGTERM/SIGINT shut the DBMS down cleanly (final checkpoint) and the
 * process exits 0.
 */
public final class Neo4jLauncher {
    private static final String BIND_HOST = "127.0.0.1";
    private static final Duration DB_AVAILABLE_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration BOLT_PROBE_TIMEOUT = Duration.ofSeconds(60);

    private static final CountDownLatch STOP_REQUESTED = new CountDownLatch(1);
    private static final AtomicBoolean SHUT_DOWN = new AtomicBoolean(false);
    private static volatile DatabaseManagementService managementService;

    private Neo4jLauncher() {}

    private record Options(Path store, int port, long pageCacheBytes, boolean watchStdin) {}

    public static void main(String[] args) {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("neo4j-launcher: " + e.getMessage());
            System.err.println("usage: Neo4jLauncher --store DIR --port N [--pagecache 256m] [--watch-stdin]");
            System.exit(2);
            return;
        }

        // Installed before the DBMS exists so a signal during the (slow) start still stops it cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(Neo4jLauncher::shutdownOnce, "neo4j-launcher-shutdown"));
        installSignalHandlers();

        try {
            Files.createDirectories(options.store());
            managementService = start(options);
            GraphDatabaseService db = managementService.database(DEFAULT_DATABASE_NAME);
            if (!db.isAvailable(DB_AVAILABLE_TIMEOUT.toMillis())) {
                throw new IllegalStateException("default database not available after " + DB_AVAILABLE_TIMEOUT);
            }
            // build() returning does not by itself prove the Netty acceptor is bound; the parent
            // trusts the READY line, so check the socket from here first.
            awaitPortOpen(options.port(), BOLT_PROBE_TIMEOUT);
        } catch (Throwable t) {
            System.err.println("neo4j-launcher: start failed");
            t.printStackTrace(System.err);
            shutdownOnce();
            System.exit(1);
            return;
        }

        System.out.println("NEO4J READY bolt://" + BIND_HOST + ":" + options.port());
        System.out.flush();

        if (options.watchStdin()) {
            startStdinWatcher();
        }

        awaitStop();
        shutdownOnce();
        // Explicit 0: the default exit status after SIGTERM would be 143, which callers would read
        // as a crash even though shutdown was clean.
        System.exit(0);
    }

    private static DatabaseManagementService start(Options options) {
        SocketAddress bolt = new SocketAddress(BIND_HOST, options.port());
        return new DatabaseManagementServiceBuilder(options.store())
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress(BIND_HOST))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, bolt)
                // The ROUTE reply used by neo4j:// drivers hands back the advertised address; the
                // default (localhost:7687) would send clients to the wrong port.
                .setConfig(BoltConnector.advertised_address, bolt)
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                // Server-side routing opens a second listener (default :7688), which would collide
                // between parallel test servers; client-side routing for neo4j:// does not need it.
                .setConfig(GraphDatabaseSettings.routing_enabled, false)
                // Neo4j's default page cache is sized from machine RAM; tests want a small fixed one.
                .setConfig(GraphDatabaseSettings.pagecache_memory, options.pageCacheBytes())
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Throwaway test stores: keep a little history for recovery, not days of it, and
                // do not preallocate 256 MiB log files per database.
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "64M size")
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, 16L * 1024 * 1024)
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                // Internal setting: Netty's graceful-shutdown quiet period (default 5 s) runs after
                // the databases are already checkpointed and closed, so it only delays exit.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();
    }

    private static void installSignalHandlers() {
        // A sun.misc.Signal handler (unlike a bare shutdown hook) lets main() finish the shutdown
        // and choose the exit status. The shutdown hook stays as a fallback for other exits.
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> STOP_REQUESTED.countDown());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                System.err.println("neo4j-launcher: cannot handle SIG" + name + ", relying on shutdown hook: " + e);
            }
        }
    }

    private static void startStdinWatcher() {
        // The parent keeps our stdin pipe open for as long as it lives; EOF means it died (even by
        // SIGKILL), so stop instead of lingering as an orphan holding the port and the store lock.
        Thread watcher = new Thread(
                () -> {
                    try (InputStream in = System.in) {
                        byte[] buffer = new byte[256];
                        while (in.read(buffer) >= 0) {
                            // Input is ignored; only EOF matters.
                        }
                    } catch (IOException ignored) {
                        // A broken pipe means the same as EOF here.
                    }
                    System.err.println("neo4j-launcher: stdin closed, shutting down");
                    STOP_REQUESTED.countDown();
                },
                "neo4j-launcher-stdin-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void awaitStop() {
        while (true) {
            try {
                STOP_REQUESTED.await();
                return;
            } catch (InterruptedException e) {
                // Only a stop request may end the server.
            }
        }
    }

    private static void shutdownOnce() {
        DatabaseManagementService service = managementService;
        if (service == null || !SHUT_DOWN.compareAndSet(false, true)) {
            return;
        }
        System.err.println("neo4j-launcher: shutting down DBMS");
        try {
            service.shutdown();
            System.err.println("neo4j-launcher: DBMS shut down");
        } catch (Throwable t) {
            System.err.println("neo4j-launcher: error during shutdown");
            t.printStackTrace(System.err);
        }
    }

    private static void awaitPortOpen(int port, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(BIND_HOST, port), 1000);
                return;
            } catch (IOException e) {
                last = e;
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        throw new IOException("Bolt port " + port + " did not open within " + timeout, last);
    }

    private static Options parse(String[] args) {
        Path store = null;
        Integer port = null;
        String pageCache = "256m";
        boolean watchStdin = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--store" -> store = Path.of(value(args, ++i, arg)).toAbsolutePath();
                case "--port" -> port = parsePort(value(args, ++i, arg));
                case "--pagecache" -> pageCache = value(args, ++i, arg);
                case "--watch-stdin" -> watchStdin = true;
                default -> throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }
        if (store == null) {
            throw new IllegalArgumentException("--store is required");
        }
        if (port == null) {
            throw new IllegalArgumentException("--port is required");
        }
        long pageCacheBytes;
        try {
            pageCacheBytes = SettingValueParsers.BYTES.parse(pageCache);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad --pagecache value '" + pageCache + "': " + e.getMessage());
        }
        return new Options(store, port, pageCacheBytes, watchStdin);
    }

    private static String value(String[] args, int index, String flag) {
        if (index >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[index];
    }

    private static int parsePort(String raw) {
        try {
            int port = Integer.parseInt(raw);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("--port out of range: " + raw);
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port is not a number: " + raw);
        }
    }
}
