package io.wirelink.vmlab;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs JUnit test classes inside a VM and writes one line per test to a results file:
 * {@code SUCCESSFUL|ABORTED|FAILED|SKIPPED Class#method[ | reason]} (ABORTED: an assumption did not hold). Exits 1
 * when a test failed. Usage: {@code JUnitInVm RESULTS_FILE CLASS...}.
 */
public final class JUnitInVm {
    private JUnitInVm() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: JUnitInVm RESULTS_FILE CLASS...");
            System.exit(2);
        }
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (int i = 1; i < args.length; i++) {
            request.selectors(DiscoverySelectors.selectClass(args[i]));
        }
        List<String> lines = new ArrayList<>();
        boolean[] failed = {false};
        TestExecutionListener listener = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                if (id.isTest()) {
                    record("SKIPPED", id, reason);
                }
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (result.getStatus() == TestExecutionResult.Status.FAILED) {
                    failed[0] = true;
                }
                if (id.isTest() || result.getStatus() == TestExecutionResult.Status.FAILED) {
                    String reason = result.getThrowable().map(JUnitInVm::describe).orElse(null);
                    record(result.getStatus().name(), id, reason);
                    result.getThrowable().filter(t -> result.getStatus() == TestExecutionResult.Status.FAILED)
                            .ifPresent(Throwable::printStackTrace);
                }
            }

            private void record(String status, TestIdentifier id, String reason) {
                String line = status + " " + name(id) + (reason == null ? "" : " | " + reason.replace('\n', ' '));
                System.out.println(line);
                lines.add(line);
            }
        };
        LauncherDiscoveryRequest discovery = request.build();
        LauncherFactory.create().execute(discovery, listener);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(args[0]), StandardCharsets.UTF_8))) {
            lines.forEach(w::println);
        }
        System.exit(failed[0] ? 1 : 0);
    }

    static String name(TestIdentifier id) {
        return id.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                .map(m -> m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1) + "#" + m.getMethodName())
                .orElse(id.getDisplayName());
    }

    static String describe(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
