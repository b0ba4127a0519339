package io.dataland.kit.config;

import java.util.Map;
import java.util.Optional;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * A service's configuration: the environment variables of docs/api.md on top of the defaults in the
 * service's {@code application.yaml}.
 *
 * <p>Every setting is named by its environment variable. Its default lives in the YAML under the key
 * Helidon itself derives from that name (lower case, {@code _} becomes {@code .}): {@code DB_POOL_SIZE}
 * defaults from {@code db.pool.size}, {@code DATABASE_URL} from {@code database.url}. A variable that is
 * set but blank counts as unset. A setting with a default is read with {@link #require}/{@link #requireInt},
 * so the YAML stays the one place the default is written.
 */
public final class Settings {

    private final Map<String, String> env;
    private final Config defaults;

    private Settings(Map<String, String> env, Config defaults) {
        this.env = Map.copyOf(env);
        this.defaults = defaults;
    }

    /** Settings from {@code env} over the YAML resource {@code resource} on the class path. */
    public static Settings load(Map<String, String> env, String resource) {
        return new Settings(env, Config.just(ConfigSources.classpath(resource)));
    }

    /** Settings from {@code env} alone, with no YAML defaults (tools such as check-env). */
    public static Settings of(Map<String, String> env) {
        return new Settings(env, Config.empty());
    }

    /** The same defaults with some variables replaced (tests, the dev stack). */
    public Settings with(Map<String, String> overrides) {
        var merged = new java.util.HashMap<>(env);
        merged.putAll(overrides);
        return new Settings(merged, defaults);
    }

    /** The value of {@code name}: the environment's when set, else the YAML default, else empty. */
    public Optional<String> find(String name) {
        String value = env.get(name);
        if (value != null && !value.isBlank()) {
            return Optional.of(value.strip());
        }
        return defaults.get(yamlKey(name)).asString().asOptional().filter(v -> !v.isBlank());
    }

    /** The value of {@code name}, or {@code fallback} when neither the environment nor the YAML set it. */
    public String get(String name, String fallback) {
        return find(name).orElse(fallback);
    }

    /**
     * The value of {@code name}, which must be set: a setting with a default has it in the service's
     * {@code application.yaml} (the one place defaults live), so an absent one is a packaging error.
     */
    public String require(String name) {
        return find(name).orElseThrow(() -> new IllegalStateException(name + " is not set and has no default under '"
                + yamlKey(name) + "' in application.yaml"));
    }

    /** {@link #require} as a whole number from {@code min} to {@code max}. */
    public int requireInt(String name, int min, int max) {
        return parseInt(name, require(name), min, max);
    }

    /** An integer setting; a value that is not a whole number in range is an error naming the variable. */
    public int getInt(String name, int fallback, int min, int max) {
        return find(name).map(raw -> parseInt(name, raw, min, max)).orElse(fallback);
    }

    private static int parseInt(String name, String raw, int min, int max) {
        try {
            int value = Integer.parseInt(raw);
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max
                        + " (got " + value + ")");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number (got '" + raw + "')");
        }
    }

    /** {@code APP_ENV}, lower-cased: {@code development} unless set. */
    public String appEnv() {
        return get("APP_ENV", "development").toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether {@code APP_ENV=production}: the guards refuse instead of warning. */
    public boolean production() {
        return "production".equals(appEnv());
    }

    static String yamlKey(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).replace('_', '.');
    }
}
