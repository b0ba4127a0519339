package io.dataland.agent.conversation;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * A keyset position in a conversation list: the last item's {@code (updated_at, id)}. The next page holds
 * the conversations strictly after it in (updated_at desc, id desc) order.
 *
 * <p>{@link #encode()} gives an opaque URL-safe token; {@link #decode} accepts only tokens of that form
 * (version tag, microsecond timestamp, id, and a checksum over them) and rejects anything else.
 *
 * @param updatedAt the position's {@code updated_at} (microsecond precision, as stored)
 * @param id        the position's id
 */
public record ConversationCursor(OffsetDateTime updatedAt, String id) {

    private static final String VERSION = "c1";

    /** Requires both parts. */
    public ConversationCursor {
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(id, "id");
    }

    /** The cursor just after {@code conversation}. */
    public static ConversationCursor after(Conversation conversation) {
        return new ConversationCursor(conversation.updatedAt(), conversation.id());
    }

    /** The opaque token. */
    public String encode() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, updatedAt.toInstant());
        String body = VERSION + "." + micros + "." + id;
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((body + "." + checksum(body)).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Parses a token made by {@link #encode()}.
     *
     * @throws IllegalArgumentException when {@code token} is not one
     */
    public static ConversationCursor decode(String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int last = text.lastIndexOf('.');
            String body = text.substring(0, last);
            if (!text.substring(last + 1).equals(checksum(body))) {
                throw new IllegalArgumentException("bad cursor checksum");
            }
            String[] parts = body.split("\\.", 3);
            if (parts.length != 3 || !VERSION.equals(parts[0]) || parts[2].isEmpty()) {
                throw new IllegalArgumentException("bad cursor");
            }
            long micros = Long.parseLong(parts[1]);
            Instant instant = Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
            return new ConversationCursor(instant.atOffset(ZoneOffset.UTC), parts[2]);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a conversation cursor", e);
        }
    }

    private static String checksum(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(crc.getValue());
    }
}
