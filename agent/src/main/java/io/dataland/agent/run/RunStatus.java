package io.dataland.agent.run;

import java.util.Locale;

/** How a run ended; stored lower-case in {@code runs.status}. */
public enum RunStatus {
    /** The model answered. */
    SUCCESS,
    /** The model or the turn failed. */
    ERROR,
    /** The client went away mid-stream. */
    CANCELLED;

    /** The stored value ({@code success}, {@code error}, {@code cancelled}). */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
