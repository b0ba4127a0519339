package io.dataland.agent.message;

/**
 * An image attached to a message ({@code message_images}).
 *
 * @param title     artwork title
 * @param artist    artist
 * @param imagePath path or URL of the image
 * @param score     retrieval score
 * @param type      kind of image; {@code artwork} when null on insert
 */
public record MessageImage(String title, String artist, String imagePath, Double score, String type) {
}
