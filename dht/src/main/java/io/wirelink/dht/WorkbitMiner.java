package io.wirelink.dht;

import io.wirelink.facts.PrivateKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * Mines a private key whose public key has at least a given {@link Workbit}. Each worker thread starts from a fresh
 * random clamped scalar and steps it by 8 (the low three bits stay clear, so every candidate is a valid clamped
 * X25519 key), deriving each public key with a fixed-base scalar multiplication. Expected work: 2<sup>bits</sup>
 * candidates, split across the threads.
 *
 * <p>This is the one class in the module that owns threads: it is a command-line tool, not protocol state. The
 * caller polls {@link #await} to show progress and {@link #close()}s the miner when done.
 */
public final class WorkbitMiner implements AutoCloseable {
    /** The largest target accepted: 2^64 key pairs is far beyond any machine, so more is a typo. */
    public static final int MAX_BITS = 64;
    private static final int BATCH = 256;

    private final int bits;
    private final byte[] network;
    private final int threads;
    private final SecureRandom random;
    private final LongAdder tried = new LongAdder();
    private final CompletableFuture<PrivateKey> result = new CompletableFuture<>();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean stop;

    public WorkbitMiner(int bits, String network, int threads, SecureRandom random) {
        if (bits < 0 || bits > MAX_BITS) {
            throw new IllegalArgumentException("workbit must be between 0 and " + MAX_BITS + ", got " + bits);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        this.bits = bits;
        this.network = Workbit.networkBytes(network);
        this.threads = threads;
        this.random = random;
    }

    /** Mines with all available processors and blocks until a key is found. */
    public static PrivateKey mine(int bits, String network, SecureRandom random) throws InterruptedException {
        try (WorkbitMiner m = new WorkbitMiner(bits, network, Runtime.getRuntime().availableProcessors(), random)) {
            m.start();
            PrivateKey k;
            do {
                k = m.await(1000);
            } while (k == null);
            return k;
        }
    }

    /** Starts the worker threads (daemon threads, so an abandoned miner never keeps the JVM alive). */
    public synchronized void start() {
        if (!workers.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        X25519.precompute();
        for (int i = 0; i < threads; i++) {
            byte[] seed = new byte[32];
            synchronized (random) {
                random.nextBytes(seed);
            }
            Thread t = new Thread(() -> work(seed), "workbit-miner-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    /** Candidates tried so far (updated in batches of 256). */
    public long tried() {
        return tried.sum();
    }

    public int threads() {
        return threads;
    }

    /**
     * Waits up to {@code timeoutMillis} for a key.
     *
     * @return the key, or {@code null} when none was found yet
     */
    public PrivateKey await(long timeoutMillis) throws InterruptedException {
        try {
            return result.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException("mining failed", e.getCause());
        }
    }

    @Override
    public void close() {
        stop = true;
        for (Thread t : workers) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void work(byte[] k) {
        try {
            k[0] &= (byte) 248;
            k[31] &= 127;
            k[31] |= 64;
            byte[] pub = new byte[32];
            byte[] h = new byte[32];
            byte[] prefix = (Workbit.PREFIX + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Blake2sDigest d = new Blake2sDigest(256);
            while (!stop) {
                for (int i = 0; i < BATCH; i++) {
                    increment(k);
                    X25519.scalarMultBase(k, 0, pub, 0);
                    d.reset();
                    d.update(prefix, 0, prefix.length);
                    d.update(pub, 0, 32);
                    d.update(network, 0, network.length);
                    d.doFinal(h, 0);
                    if (Workbit.leadingZeroBits(h) >= bits) {
                        tried.add(i + 1L);
                        stop = true;
                        result.complete(PrivateKey.of(k));
                        return;
                    }
                }
                tried.add(BATCH);
            }
        } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
            stop = true;
        }
    }

    /** Adds 8 to the little-endian low 64 bits of the scalar; bits 0..2 stay zero and bits 254/255 are untouched. */
    static void increment(byte[] k) {
        int carry = 8;
        for (int i = 0; i < 8 && carry != 0; i++) {
            int v = (k[i] & 0xff) + carry;
            k[i] = (byte) v;
            carry = v >>> 8;
        }
    }
}
