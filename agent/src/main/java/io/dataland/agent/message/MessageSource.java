package io.dataland.agent.message;

/**
 * A citation attached to a message ({@code message_sources}).
 *
 * @param title      source title
 * @param uri        source URI
 * @param confidence retrieval confidence
 * @param type       kind of source; {@code document} when null on insert
 */
public record MessageSource(String title, String uri, Double confidence, String type) {
}
