package io.dataland.agent.conversation;

import java.util.List;

/**
 * One page of a user's conversations, newest {@code updated_at} first.
 *
 * @param items the conversations
 * @param next  the cursor for the next page, or null when this is the last
 */
public record ConversationPage(List<Conversation> items, ConversationCursor next) {

    /** Copies the list. */
    public ConversationPage {
        items = List.copyOf(items);
    }
}
