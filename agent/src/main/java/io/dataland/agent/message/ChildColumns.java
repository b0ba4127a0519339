package io.dataland.agent.message;

import java.util.List;

/**
 * A message's images, sources and suggestions as parallel column arrays, the parameters of
 * {@link MessageMapper#insertNext}: one fixed statement inserts any number of children with
 * {@code unnest}, where a {@code <foreach>} would make a new SQL text (and a new server-side prepared
 * statement) for every count of children.
 */
record ChildColumns(String[] imageTitles, String[] imageArtists, String[] imagePaths, Double[] imageScores,
                    String[] imageTypes, String[] sourceTitles, String[] sourceUris, Double[] sourceConfidences,
                    String[] sourceTypes, String[] suggestions) {

    static ChildColumns of(NewMessage message) {
        List<MessageImage> images = message.images();
        List<MessageSource> sources = message.sources();
        return new ChildColumns(
                images.stream().map(MessageImage::title).toArray(String[]::new),
                images.stream().map(MessageImage::artist).toArray(String[]::new),
                images.stream().map(MessageImage::imagePath).toArray(String[]::new),
                images.stream().map(MessageImage::score).toArray(Double[]::new),
                images.stream().map(MessageImage::type).toArray(String[]::new),
                sources.stream().map(MessageSource::title).toArray(String[]::new),
                sources.stream().map(MessageSource::uri).toArray(String[]::new),
                sources.stream().map(MessageSource::confidence).toArray(Double[]::new),
                sources.stream().map(MessageSource::type).toArray(String[]::new),
                message.suggestions().toArray(String[]::new));
    }
}
