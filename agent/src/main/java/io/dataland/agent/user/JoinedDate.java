package io.dataland.agent.user;

import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * The {@code joined_date} values the agent stores and answers: instants of the years 1 to 9999 UTC
 * ({@code 0001-01-01T00:00:00Z} inclusive to {@code 10000-01-01T00:00:00Z} exclusive). PostgreSQL
 * {@code timestamptz} holds more (4713 BC to 294276 AD, and {@code -infinity} / {@code infinity}, which
 * pgjdbc hands over as {@link OffsetDateTime#MIN} / {@link OffsetDateTime#MAX}), Java less than that in
 * UTC, and ISO-8601 only these years without a sign; the original Python stack's {@code datetime} holds
 * the same years. A value outside is unusable: a claim carrying one is ignored like an absent claim, and
 * a stored one (an older row) reads as {@code null}.
 */
public final class JoinedDate {

    /** The earliest usable instant. */
    public static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");
    /** The first instant past the usable range. */
    public static final Instant END = Instant.parse("+10000-01-01T00:00:00Z");

    private JoinedDate() {
    }

    /** {@code value} when it lies in the usable range, else {@code null} (also for {@code null}). */
    public static OffsetDateTime usable(OffsetDateTime value) {
        if (value == null) {
            return null;
        }
        Instant instant = value.toInstant(); // within Instant's range even for OffsetDateTime.MIN and MAX
        return instant.isBefore(MIN) || !instant.isBefore(END) ? null : value;
    }
}
