package dev.telescale.runtime.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A private redis-server on a free port that a test may kill, pause and restart without
 * disturbing the machine's Redis. Not thread-safe; one test drives it.
 */
public final class RedisServerProcess implements AutoCloseable {
    private final int port;
    private Process process;

    private RedisServerProcess(int port) throws IOException, InterruptedException {
        this.port = port;
        this.process = launch();
    }

    public static boolean binaryAvailable() {
        try {
            return new ProcessBuilder("redis-server", "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static RedisServerProcess start() throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        return new RedisServerProcess(port);
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** SIGKILL: the server and its data are gone; clients see their connections reset. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    /** A fresh, empty server on the same port. */
    public void restart() throws IOException, InterruptedException {
        kill();
        process = launch();
    }

    /** SIGSTOP: connections stay open but nothing answers (a hung server); data is kept. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    @Override
    public void close() throws IOException {
        try {
            if (process.isAlive()) {
                resume();
            }
            kill();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    private Process launch() throws IOException, InterruptedException {
        Process started = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!started.isAlive()) {
                throw new IOException("redis-server exited with " + started.exitValue() + " on port " + port);
            }
            if (answersPing()) {
                return started;
            }
            Thread.sleep(20);
        }
        started.destroyForcibly();
        throw new IOException("redis-server did not answer on port " + port);
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readNBytes(7);
            return new String(answer, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }
}
