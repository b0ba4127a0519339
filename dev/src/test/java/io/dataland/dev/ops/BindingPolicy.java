package io.dataland.dev.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host-binding policy (the seed's DAT-73): a published port names its host address, and that
 * address is loopback ({@code 127.0.0.1}) or a tailnet IP given as {@code ${NAME_PUBLIC_BIND:-IP}}.
 * Never {@code 0.0.0.0}, {@code ::} or no address at all (which Docker reads as every interface).
 */
final class BindingPolicy {

    private static final Pattern PUBLIC_BIND = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*_PUBLIC_BIND):-([^}]+)}");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private BindingPolicy() {
    }

    /** Why {@code entry} (one item of a service's {@code ports:}, as the source file has it) breaks the policy. */
    static Optional<String> violation(Object entry) {
        if (entry instanceof Map<?, ?> longSyntax) {
            Object host = longSyntax.get("host_ip");
            return host == null ? Optional.of("long-syntax port " + longSyntax + " has no host_ip (binds every interface)")
                    : checkHost(host.toString(), false);
        }
        String spec = String.valueOf(entry);
        List<String> parts = split(spec.replaceFirst("/(tcp|udp|sctp)$", ""));
        if (parts.size() < 3) {
            return Optional.of("'" + spec + "' publishes without a host address (binds every interface)");
        }
        String host = String.join(":", parts.subList(0, parts.size() - 2));
        return checkHost(host, false);
    }

    /** The same policy for a port as {@code docker-compose config} renders it (variables expanded). */
    static Optional<String> renderedViolation(String spec) {
        List<String> parts = split(spec.replaceFirst("/(tcp|udp|sctp)$", ""));
        if (parts.size() < 3) {
            return Optional.of("'" + spec + "' publishes without a host address (binds every interface)");
        }
        return checkHost(String.join(":", parts.subList(0, parts.size() - 2)), true);
    }

    private static Optional<String> checkHost(String rawHost, boolean rendered) {
        String host = rawHost.startsWith("[") && rawHost.endsWith("]") ? rawHost.substring(1, rawHost.length() - 1) : rawHost;
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("*")) {
            return Optional.of("host address '" + rawHost + "' binds every interface");
        }
        if (host.equals("127.0.0.1")) {
            return Optional.empty();
        }
        Matcher variable = PUBLIC_BIND.matcher(host);
        if (!rendered && variable.matches()) {
            return tailnet(variable.group(2)) ? Optional.empty()
                    : Optional.of("${" + variable.group(1) + "} defaults to '" + variable.group(2)
                    + "', not a tailnet (100.64.0.0/10) address");
        }
        if (rendered && tailnet(host)) {
            return Optional.empty();
        }
        return Optional.of("host address '" + rawHost + "' is neither 127.0.0.1 nor a ${NAME_PUBLIC_BIND:-tailnet IP}");
    }

    /** Whether {@code ip} lies in 100.64.0.0/10, the carrier-grade NAT range tailnets use. */
    static boolean tailnet(String ip) {
        Matcher m = IPV4.matcher(ip);
        if (!m.matches()) {
            return false;
        }
        int a = Integer.parseInt(m.group(1));
        int b = Integer.parseInt(m.group(2));
        return a == 100 && b >= 64 && b <= 127 && Integer.parseInt(m.group(3)) <= 255 && Integer.parseInt(m.group(4)) <= 255;
    }

    /** Splits on ':' outside {@code ${...}} and {@code [...]}. */
    private static List<String> split(String spec) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            }
            if (c == ':' && depth == 0) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }
}
