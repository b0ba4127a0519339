package io.dataland.agent.message;

/**
 * A message's feedback after an update.
 *
 * @param id       message id
 * @param feedback {@code like}, {@code dislike} or null
 */
public record MessageFeedback(String id, String feedback) {
}
