package io.dataland.agent.model;

import java.util.List;

/**
 * One question for the model.
 *
 * @param mode     {@code museum} or {@code general}
 * @param message  the user's new message
 * @param history  the conversation's earlier messages, oldest first (without {@code message})
 */
public record ModelRequest(String mode, String message, List<Turn> history) {

    /** An earlier message: {@code role} is {@code user} or {@code assistant}. */
    public record Turn(String role, String text) {
    }
}
