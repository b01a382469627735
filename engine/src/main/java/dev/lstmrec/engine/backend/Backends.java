package dev.lstmrec.engine.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Discovery and selection of backends. {@code auto} (the default) takes the highest-priority provider whose probe
 * says usable; a named backend that cannot run is an error carrying its probe's reason, never a silent fallback.
 * The default choice can be set with {@code -Dlstmrec.backend=NAME} or {@code LSTMREC_BACKEND=NAME}.
 */
public final class Backends {
    public static final String AUTO = "auto";
    public static final String PROPERTY = "lstmrec.backend";
    public static final String ENVIRONMENT = "LSTMREC_BACKEND";

    private Backends() {}

    /** A provider with its probe result. */
    public record Found(BackendProvider provider, Probe probe) {}

    /** Every registered provider, highest priority first, each probed once. */
    public static List<Found> discover() {
        List<Found> found = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
            found.add(new Found(p, safeProbe(p)));
        }
        found.sort(Comparator.comparingInt((Found f) -> -f.provider().priority()).thenComparing(f -> f.provider().name()));
        return found;
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

    /** Which provider {@code name} resolves to, without creating it. */
    public static Found choose(String name) {
        String wanted = requestedName(name);
        List<Found> all = discover();
        if (wanted.equals(AUTO)) {
            return all.stream().filter(f -> f.probe().usable()).findFirst()
                    .orElseThrow(() -> new BackendUnavailableException("no usable backend found: " + summary(all)));
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

    /** Creates the backend {@code name} ("auto", a provider name, or null for the configured default). */
    public static Backend create(String name, BackendOptions options) {
        return choose(name).provider().create(options);
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
