package io.dataland.agent.conversation;

import java.time.OffsetDateTime;
import java.util.List;

import io.dataland.agent.message.MessageView;

/** A conversation as the API shows it: {@code {id, title, mode, created_at, updated_at}}. */
public record ConversationView(String id, String title, String mode, OffsetDateTime createdAt,
                               OffsetDateTime updatedAt) {

    /** The view of {@code c}. */
    public static ConversationView of(Conversation c) {
        return new ConversationView(c.id(), c.title(), c.mode(), c.createdAt(), c.updatedAt());
    }

    /** The detail shape: the conversation with its messages. */
    public record Detail(String id, String title, String mode, OffsetDateTime createdAt, OffsetDateTime updatedAt,
                         List<MessageView> messages) {

        /** The view of {@code d}. */
        public static Detail of(ConversationDetail d) {
            Conversation c = d.conversation();
            return new Detail(c.id(), c.title(), c.mode(), c.createdAt(), c.updatedAt(),
                    d.messages().stream().map(MessageView::of).toList());
        }
    }

    /** A page: {@code {items, next}}. */
    public record Page(List<ConversationView> items, String next) {

        /** The view of {@code p}. */
        public static Page of(ConversationPage p) {
            return new Page(p.items().stream().map(ConversationView::of).toList(),
                    p.next() == null ? null : p.next().encode());
        }
    }
}
