package dev.nabla.data;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** An HTTP server on 127.0.0.1 for download tests: each path answers as a test sets it up. */
final class LoopbackServer implements AutoCloseable {

    /** How to answer one path. */
    interface Answer {
        void send(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();

    LoopbackServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            try (exchange) {
                Answer answer = answers.get(exchange.getRequestURI().getPath());
                if (answer == null) {
                    exchange.sendResponseHeaders(404, -1);
                } else {
                    answer.send(exchange);
                }
            } catch (IOException e) {
                // a deliberately short body ends the exchange with an error; the client sees it
            }
        });
        server.start();
    }

    /** The base URL of {@code dir}, e.g. {@code http://127.0.0.1:port/mirror/}. */
    URI base(String dir) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + dir + "/");
    }

    void serve(String path, Answer answer) {
        answers.put(path, answer);
    }

    /** A 200 answer with a correct Content-Length. */
    static Answer ok(byte[] body) {
        return exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        };
    }

    /** A 200 answer sent chunked, with no length announced, so a wrong size shows only at the end. */
    static Answer chunked(byte[] body) {
        return exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        };
    }

    /** A 200 answer announcing {@code announced} bytes but sending only {@code body}, then stalling. */
    static Answer stalls(int announced, byte[] body) {
        return exchange -> {
            exchange.sendResponseHeaders(200, announced);
            OutputStream out = exchange.getResponseBody();
            out.write(body);
            out.flush();
            out.close(); // throws "insufficient bytes written" but keeps the connection open
        };
    }

    static Answer status(int code) {
        return exchange -> exchange.sendResponseHeaders(code, -1);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
