package io.dataland.agent.model;

/**
 * A language model behind one small interface: given the question and the conversation so far, stream the
 * answer's text to a {@link DeltaSink} and return the whole reply. Implementations: {@link OfflineModel}
 * (deterministic, no network) and {@link OpenAiModel} (any OpenAI-compatible chat-completions endpoint).
 */
public interface ModelProvider {

    /**
     * Answers {@code request}, handing each chunk of text to {@code sink} as it arrives.
     *
     * <p>An exception thrown by {@code sink} (the client went away) propagates unchanged and stops the
     * model call; a failure of the model itself is a {@link ModelException}.
     */
    ModelReply reply(ModelRequest request, DeltaSink sink);

    /** The model name recorded on a run when the model did not say (errors, cancellations). */
    String model();

    /** How many earlier messages the provider wants as context (0: none, so none are read). */
    default int historyTurns() {
        return 0;
    }

    /** Receives the answer's text as it is produced. */
    @FunctionalInterface
    interface DeltaSink {
        /** One chunk of the answer (never empty). */
        void delta(String text);
    }
}
