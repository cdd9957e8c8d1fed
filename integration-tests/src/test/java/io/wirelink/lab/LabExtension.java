package io.wirelink.lab;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit extension for lab tests: skips the class (assumption) when the lab cannot run here, hands each test method
 * (or its {@code @BeforeEach}) a fresh {@link Lab} parameter, and after the test logs the lab's
 * {@link Lab#diagnostics()} if the test failed, then closes the lab, whether the test passed, failed or was
 * interrupted by a timeout.
 */
public final class LabExtension implements BeforeAllCallback, AfterEachCallback, ParameterResolver {
    private static final Logger log = LoggerFactory.getLogger(LabExtension.class);
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LabExtension.class);
    private static final String KEY = "lab";

    @Override
    public void beforeAll(ExtensionContext context) {
        LabExtension.assumeAvailable();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == Lab.class && extensionContext.getTestMethod().isPresent();
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        ExtensionContext.Store store = extensionContext.getStore(NS);
        Lab lab = store.get(KEY, Lab.class);
        if (lab == null) {
            lab = Lab.create();
            store.put(KEY, lab);
        }
        return lab;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Lab lab = context.getStore(NS).remove(KEY, Lab.class);
        if (lab == null) {
            return;
        }
        try {
            if (context.getExecutionException().isPresent()) {
                log.error("{} failed; the lab looked like this:\n{}", context.getDisplayName(), lab.diagnostics());
            }
        } finally {
            lab.close();
        }
    }

    /** Skips the calling test, with the reason, when the lab cannot run here (not root, tools missing, ...). */
    static void assumeAvailable() {
        java.util.Optional<String> reason = Lab.unavailableReason();
        org.junit.jupiter.api.Assumptions.assumeTrue(reason.isEmpty(), () -> "lab tests skipped: " + reason.orElse(""));
    }
}
