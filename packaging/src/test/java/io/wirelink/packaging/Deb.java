package io.wirelink.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The built package and the tools the checks run, shared by the package ITs. */
final class Deb {
    private Deb() {}

    static Path debDir() {
        return Path.of(System.getProperty("wirelink.debDir", "target"));
    }

    static Path debSrc() {
        return Path.of(System.getProperty("wirelink.debSrc", "src/deb"));
    }

    /** The one {@code wirelink_*_all.deb} the build left; fails when there is none or more than one. */
    static Path theDeb() throws IOException {
        List<Path> debs;
        try (Stream<Path> s = Files.list(debDir())) {
            debs = s.filter(p -> p.getFileName().toString().matches("wirelink_.*_all\\.deb")).sorted().toList();
        }
        assertEquals(1, debs.size(), () -> "exactly one wirelink_*_all.deb in " + debDir() + ": " + debs);
        return debs.get(0);
    }

    record Result(int status, String out, String err) {}

    /** Runs a command to completion (2 minutes at most), stdin closed. */
    static Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path out = Files.createTempFile("deb-out", ".txt");
        Path err = Files.createTempFile("deb-err", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(command + " did not finish within 2 minutes");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
