package io.dataland.agent.model;

/** The model failed (unreachable, an error status, a broken or stalled stream); the message is safe to store. */
public class ModelException extends RuntimeException {

    /** A failure described by {@code reason}. */
    public ModelException(String reason) {
        super(reason);
    }

    /** A failure described by {@code reason}, caused by {@code cause}. */
    public ModelException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
