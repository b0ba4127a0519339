package io.dataland.agent.conversation;

import java.util.List;

import io.dataland.agent.message.Message;

/**
 * A conversation with all its messages (in {@code seq} order) and their children.
 *
 * @param conversation the conversation
 * @param messages     its messages
 */
public record ConversationDetail(Conversation conversation, List<Message> messages) {

    /** Copies the list. */
    public ConversationDetail {
        messages = List.copyOf(messages);
    }
}
