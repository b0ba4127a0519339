package io.dataland.agent.message;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A message as the API shows it: {@code {id, seq, role, text, feedback, run_id, created_at, images, sources,
 * suggestions}}, images as {@code {title, artist, image_path, score, type}}, sources as
 * {@code {title, uri, confidence, type}}.
 */
public record MessageView(String id, int seq, String role, String text, String feedback, String runId,
                          OffsetDateTime createdAt, List<MessageImage> images, List<MessageSource> sources,
                          List<String> suggestions) {

    /** The view of {@code m}. */
    public static MessageView of(Message m) {
        return new MessageView(m.id(), m.seq(), m.role(), m.text(), m.feedback(), m.runId(), m.createdAt(),
                m.images(), m.sources(), m.suggestions());
    }
}
