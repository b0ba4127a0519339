package io.dataland.agent.message;

/**
 * One child of a message, read in a single set-based statement for a whole conversation: {@code kind}
 * says which table it came from and which fields are set.
 *
 * @param kind       {@code image}, {@code source} or {@code suggestion}
 * @param messageId  the parent message
 * @param id         the child's own id
 * @param title      image/source title
 * @param artist     image artist
 * @param imagePath  image path
 * @param score      image score
 * @param type       image/source type
 * @param uri        source URI
 * @param confidence source confidence
 * @param text       suggestion text
 * @param sequence   suggestion order
 */
public record MessageChildRow(String kind, String messageId, Long id, String title, String artist, String imagePath,
                              Double score, String type, String uri, Double confidence, String text, Integer sequence) {
}
