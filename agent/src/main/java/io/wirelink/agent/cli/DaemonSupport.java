package io.wirelink.agent.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.wirelink.agent.config.AgentConfig;
import io.wirelink.agent.config.ConfigException;
import io.wirelink.agent.config.ConfigLoader;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.slf4j.LoggerFactory;

/** Small pieces the daemon and the control commands share. */
final class DaemonSupport {
    private DaemonSupport() {}

    static AgentConfig load(ConfigOptions options, Map<String, Object> flags) throws ConfigException {
        if (options.config != null && options.configPath != null) {
            throw new ConfigException("--config and --config-path name the same thing; give one");
        }
        return ConfigLoader.load(options.file(), options.env(System.getenv()), flags);
    }

    static void debugLogging(boolean on) {
        if (!on) {
            return;
        }
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.getLogger("io.wirelink").setLevel(on ? Level.DEBUG : Level.INFO);
        }
    }

    /**
     * Installs a handler for a POSIX signal (e.g. "HUP") through {@code sun.misc.Signal}, reached reflectively so
     * the build's -Werror does not trip on the internal-API warning. Returns false where unavailable.
     */
    static boolean onSignal(String name, Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object sig = signal.getConstructor(String.class).newInstance(name);
            InvocationHandler ih = (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                    action.run();
                }
                return null;
            };
            Object h = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler}, ih);
            signal.getMethod("handle", signal, handler).invoke(null, sig, h);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
