package dev.lstmrec.engine.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Discovery and selection of backends. {@code auto} (the default) takes the highest-priority provider whose probe
 * says usable; a named backend that cannot run is an error carrying its probe's reason, never a silent fallback.
 * The default choice can be set with {@code -Dlstmrec.backend=NAME} or {@code LSTMREC_BACKEND=NAME}. Providers are
 * loaded and probed once per JVM (the first call pays for ServiceLoader and every smoke test); every backend created
 * here comes behind the {@link CheckedBackend} front.
 */
public final class Backends {
    public static final String AUTO = "auto";
    public static final String PROPERTY = "lstmrec.backend";
    public static final String ENVIRONMENT = "LSTMREC_BACKEND";

    private static final System.Logger LOG = System.getLogger(Backends.class.getName());
    /** Set once the fallback warning has been shown (logged, or claimed by an application that prints it). */
    private static final AtomicBoolean FALLBACK_REPORTED = new AtomicBoolean();

    private Backends() {}

    /** A provider with its probe result. */
    public record Found(BackendProvider provider, Probe probe) {
        /** Creates the backend behind the checked front; only for a usable probe. */
        public Backend create(BackendOptions options) {
            if (!probe.usable()) {
                throw new BackendUnavailableException("backend '" + provider.name() + "' cannot run here: " + probe.reason());
            }
            return CheckedBackend.wrap(provider.create(options));
        }
    }

    /** Loaded and probed on first use, by the class-holder idiom: once per JVM, thread-safe without locks. */
    private static final class Discovered {
        static final List<Found> ALL = load();
    }

    private static List<Found> load() {
        List<Found> found = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
            found.add(new Found(p, safeProbe(p)));
        }
        found.sort(Comparator.comparingInt((Found f) -> -f.provider().priority()).thenComparing(f -> f.provider().name()));
        return List.copyOf(found);
    }

    /** Every registered provider, highest priority first, each probed once per JVM. */
    public static List<Found> discover() {
        return Discovered.ALL;
    }

    private static Probe safeProbe(BackendProvider p) {
        try {
            return p.probe();
        } catch (RuntimeException | LinkageError e) {
            return Probe.unavailable("probe failed: " + e);
        }
    }

    /** The requested name: the argument if given, else the system property, else the environment, else auto. */
    public static String requestedName(String explicit) {
        if (explicit != null && !explicit.isBlank()) return explicit.trim().toLowerCase(Locale.ROOT);
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) return prop.trim().toLowerCase(Locale.ROOT);
        String env = System.getenv(ENVIRONMENT);
        if (env != null && !env.isBlank()) return env.trim().toLowerCase(Locale.ROOT);
        return AUTO;
    }

    /**
     * Which provider {@code name} resolves to, without creating it. Under {@code auto}, a fallback below an unusable
     * SIMD backend is reported once per JVM through System.Logger (see {@link #fallbackWarning()}).
     */
    public static Found choose(String name) {
        String wanted = requestedName(name);
        List<Found> all = discover();
        if (wanted.equals(AUTO)) {
            Found best = all.stream().filter(f -> f.probe().usable()).findFirst()
                    .orElseThrow(() -> new BackendUnavailableException("no usable backend found: " + summary(all)));
            if (!FALLBACK_REPORTED.get()) logFallbackOnce();
            return best;
        }
        for (Found f : all) {
            if (f.provider().name().equals(wanted)) {
                if (!f.probe().usable()) {
                    throw new BackendUnavailableException("backend '" + wanted + "' cannot run here: " + f.probe().reason());
                }
                return f;
            }
        }
        throw new BackendUnavailableException("unknown backend '" + wanted + "'; available: " + summary(all) + " (or auto)");
    }

    /** Creates the backend {@code name} ("auto", a provider name, or null for the configured default), checked. */
    public static Backend create(String name, BackendOptions options) {
        return choose(name).create(options);
    }

    /**
     * The one-line warning for {@code auto} landing below the SIMD backend because SIMD cannot run here (typically the
     * JVM lacks {@code --add-modules jdk.incubator.vector}; the probe's reason says so), e.g.
     * "SIMD backend unavailable (...); using scalar". Empty when SIMD runs or is not registered.
     */
    public static Optional<String> fallbackWarning() {
        return fallbackWarning(discover());
    }

    static Optional<String> fallbackWarning(List<Found> all) {
        Found best = all.stream().filter(f -> f.probe().usable()).findFirst().orElse(null);
        if (best == null) return Optional.empty();
        for (Found f : all) {
            if (f.provider().name().equals("simd") && !f.probe().usable() && f.provider().priority() > best.provider().priority()) {
                return Optional.of("SIMD backend unavailable (" + f.probe().reason() + "); using " + best.provider().name());
            }
        }
        return Optional.empty();
    }

    private static void logFallbackOnce() {
        Optional<String> w = fallbackWarning();
        if (w.isPresent() && FALLBACK_REPORTED.compareAndSet(false, true)) LOG.log(System.Logger.Level.WARNING, w.get());
    }

    /**
     * For an application that shows the fallback warning itself (the CLI prints it on stderr): returns it at most once
     * per JVM, and from then on {@link #choose} does not log it.
     */
    public static Optional<String> claimFallbackWarning() {
        Optional<String> w = fallbackWarning();
        return w.isPresent() && FALLBACK_REPORTED.compareAndSet(false, true) ? w : Optional.empty();
    }

    private static String summary(List<Found> all) {
        StringBuilder sb = new StringBuilder();
        for (Found f : all) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(f.provider().name()).append(f.probe().usable() ? "" : " (unavailable)");
        }
        return sb.toString();
    }
}
