package io.dataland.agent.schema;

import java.util.List;

/**
 * The agent schema's version, like {@code alembic current}: where the database is and what {@code migrate}
 * would apply.
 *
 * @param current    the applied version (e.g. {@code 11}), {@code 0} for a baseline with nothing applied,
 *                   null when the database has no Flyway history yet
 * @param head       the newest version this build carries
 * @param pending    versions {@code migrate} would apply, oldest first, each as {@code V<n> <description>}
 * @param adoption   what {@code migrate} would do first for a database without Flyway history (baseline at
 *                   an Alembic revision, treat as empty, or refuse), null when there is history
 */
public record SchemaInfo(String current, String head, List<String> pending, String adoption) {

    /** Copies the list. */
    public SchemaInfo {
        pending = List.copyOf(pending);
    }

    /** Whether the database is at head and under Flyway. */
    public boolean upToDate() {
        return current != null && pending.isEmpty();
    }

    /** Human-readable lines for the {@code info} command. */
    public String render() {
        StringBuilder out = new StringBuilder();
        out.append("current: ").append(current == null ? "(no Flyway history)" : "V" + current).append('\n');
        out.append("head:    V").append(head).append('\n');
        if (adoption != null) {
            out.append("adoption: ").append(adoption).append('\n');
        }
        if (pending.isEmpty()) {
            out.append("pending: none (up to date)\n");
        } else {
            out.append("pending:\n");
            pending.forEach(p -> out.append("  ").append(p).append('\n'));
        }
        return out.toString();
    }
}
