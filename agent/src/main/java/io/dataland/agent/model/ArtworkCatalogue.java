package io.dataland.agent.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import io.dataland.kit.http.Json;


/** The small artwork catalogue shipped as {@code artworks.json} (title, artist, image_path). */
public final class ArtworkCatalogue {

    /** One catalogue entry. */
    public record Artwork(String title, String artist, String imagePath) {
    }

    /** A catalogue entry with how well it matched a question (0..1). */
    public record Match(Artwork artwork, double score) {
    }

    private static final java.util.regex.Pattern NON_WORD = java.util.regex.Pattern.compile("[^\\p{L}\\p{N}]+");

    private final List<Artwork> artworks;
    private final List<Set<String>> artworkWords;

    private ArtworkCatalogue(List<Artwork> artworks) {
        this.artworks = List.copyOf(artworks);
        this.artworkWords = this.artworks.stream().map(a -> words(a.title() + " " + a.artist())).toList();
    }

    /** The catalogue on the class path. */
    public static ArtworkCatalogue load() {
        try (InputStream in = ArtworkCatalogue.class.getResourceAsStream("/artworks.json")) {
            if (in == null) {
                throw new IllegalStateException("artworks.json missing from the class path");
            }
            var tree = Json.MAPPER.readTree(in);
            List<Artwork> list = new java.util.ArrayList<>();
            tree.forEach(n -> list.add(new Artwork(n.get("title").asText(), n.get("artist").asText(),
                    n.get("image_path").asText())));
            return new ArtworkCatalogue(list);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every entry. */
    public List<Artwork> all() {
        return artworks;
    }

    /**
     * The {@code n} entries best matching {@code question} by shared words; ties (and a question matching
     * nothing) are broken by a hash of question and title, so the answer is deterministic.
     */
    public List<Match> search(String question, int n) {
        Set<String> words = words(question);
        record Scored(Match match, int tieBreak) {
        }
        List<Scored> scored = new java.util.ArrayList<>(artworks.size());
        for (int i = 0; i < artworks.size(); i++) {
            Artwork a = artworks.get(i);
            Set<String> own = artworkWords.get(i);
            long shared = own.stream().filter(words::contains).count();
            double score = own.isEmpty() ? 0 : 0.5 + 0.5 * shared / own.size();
            scored.add(new Scored(new Match(a, Math.round(score * 1000) / 1000.0), (question + "|" + a.title()).hashCode()));
        }
        return scored.stream()
                .sorted(Comparator.comparingDouble((Scored m) -> m.match().score()).reversed()
                        .thenComparingInt(Scored::tieBreak))
                .limit(n)
                .map(Scored::match)
                .toList();
    }

    static Set<String> words(String text) {
        return Arrays.stream(NON_WORD.split(text.toLowerCase(Locale.ROOT)))
                .filter(w -> w.length() >= 3)
                .collect(Collectors.toSet());
    }
}
