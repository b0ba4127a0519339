package io.dataland.agent.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.dataland.agent.message.MessageImage;
import io.dataland.agent.message.MessageSource;

/**
 * The default provider: deterministic, no network. The answer is built from the question and the best
 * matching catalogue artworks, streamed in several chunks, with those artworks as images, one catalogue
 * source, three follow-up suggestions, word-count token usage and cost 0.
 */
public final class OfflineModel implements ModelProvider {

    /** The name stored in {@code runs.model}. */
    public static final String NAME = "offline";
    private static final int CHUNK_CHARS = 48;

    private final ArtworkCatalogue catalogue;
    private final Duration chunkDelay;

    /** A provider over {@code catalogue}, pausing {@code chunkDelay} between chunks (zero: none). */
    public OfflineModel(ArtworkCatalogue catalogue, Duration chunkDelay) {
        this.catalogue = catalogue;
        this.chunkDelay = chunkDelay;
    }

    @Override
    public String model() {
        return NAME;
    }

    @Override
    public ModelReply reply(ModelRequest request, DeltaSink sink) {
        List<ArtworkCatalogue.Match> matches = catalogue.search(request.message(), 3);
        String text = answer(request, matches);
        for (String chunk : chunks(text)) {
            pause();
            sink.delta(chunk);
        }
        List<MessageImage> images = matches.stream()
                .map(m -> new MessageImage(m.artwork().title(), m.artwork().artist(), m.artwork().imagePath(),
                        m.score(), "artwork"))
                .toList();
        ArtworkCatalogue.Artwork first = matches.getFirst().artwork();
        List<MessageSource> sources = List.of(new MessageSource("Dataland collection: " + first.title(),
                "dataland://artworks" + first.imagePath().replace("/images/artworks", "").replace(".jpg", ""),
                matches.getFirst().score(), "document"));
        List<String> suggestions = List.of("Tell me more about " + first.title() + ".",
                "What else did " + first.artist() + " create?",
                "Which artwork should I see next?");
        int prompt = 24 + count(request.message()) + request.history().stream().mapToInt(t -> count(t.text())).sum();
        return new ModelReply(NAME, text, images, sources, suggestions, prompt, count(text), 0.0);
    }

    private static String answer(ModelRequest request, List<ArtworkCatalogue.Match> matches) {
        String question = request.message().strip();
        if (question.length() > 160) {
            question = question.substring(0, 160) + "...";
        }
        ArtworkCatalogue.Artwork a = matches.get(0).artwork();
        ArtworkCatalogue.Artwork b = matches.get(1).artwork();
        ArtworkCatalogue.Artwork c = matches.get(2).artwork();
        String where = "museum".equals(request.mode()) ? "Here in the museum" : "In the collection";
        return "You asked: \"" + question + "\". " + where + ", a good place to start is " + a.title() + " by "
                + a.artist() + ". You may also enjoy " + b.title() + " by " + b.artist() + " and " + c.title()
                + " by " + c.artist() + ".";
    }

    /** {@code text} cut into pieces of about {@link #CHUNK_CHARS}, on spaces where possible. */
    static List<String> chunks(String text) {
        List<String> chunks = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + CHUNK_CHARS);
            int space = text.lastIndexOf(' ', end);
            if (end < text.length() && space > start) {
                end = space + 1;
            }
            chunks.add(text.substring(start, end));
            start = end;
        }
        return chunks;
    }

    private void pause() {
        if (!chunkDelay.isZero()) {
            try {
                Thread.sleep(chunkDelay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ModelException("interrupted");
            }
        }
    }

    private static int count(String text) {
        String s = text.strip();
        return s.isEmpty() ? 0 : s.split("\\s+").length;
    }
}
