package io.dataland.agent.testing;

import java.time.OffsetDateTime;
import java.util.List;

import io.dataland.agent.chat.FinishTurn;
import io.dataland.agent.chat.TurnStart;
import io.dataland.agent.message.MessageImage;
import io.dataland.agent.message.MessageSource;
import io.dataland.agent.run.RunOutcome;
import io.dataland.agent.run.RunStatus;
import io.dataland.agent.user.UserClaims;

/**
 * Test data by name instead of positional constructors full of nulls: {@code claims(sub).fullName("Ada")},
 * {@code finish(start, user).text("answer").status(RunStatus.ERROR)}. Unset fields are absent (null or empty).
 */
public final class TestData {

    private TestData() {
    }

    /** Claims for {@code sub}, nothing else set. */
    public static Claims claims(String sub) {
        return new Claims(sub);
    }

    /** The end of the turn {@code start} of {@code userId}: no text, a successful run of model {@code m}. */
    public static Finish finish(TurnStart start, String userId) {
        return new Finish(start.conversationId(), userId, start.run().id());
    }

    /** The end of run {@code runId} in {@code conversationId}. */
    public static Finish finish(String conversationId, String userId, String runId) {
        return new Finish(conversationId, userId, runId);
    }

    /** An image without a type (the repository defaults it to {@code artwork}). */
    public static MessageImage image(String title, String artist, String path, double score) {
        return new MessageImage(title, artist, path, score, null);
    }

    /** A source without a type (the repository defaults it to {@code document}). */
    public static MessageSource source(String title, String uri, double confidence) {
        return new MessageSource(title, uri, confidence, null);
    }

    /** {@link UserClaims} by name. */
    public static final class Claims {
        private final String sub;
        private String email;
        private String fullName;
        private String location;
        private String photo;
        private OffsetDateTime joined;
        private String permissions;
        private String stripeCustomerId;

        private Claims(String sub) {
            this.sub = sub;
        }

        public Claims email(String value) {
            email = value;
            return this;
        }

        public Claims fullName(String value) {
            fullName = value;
            return this;
        }

        public Claims location(String value) {
            location = value;
            return this;
        }

        public Claims photo(String value) {
            photo = value;
            return this;
        }

        public Claims joined(OffsetDateTime value) {
            joined = value;
            return this;
        }

        public Claims permissions(String value) {
            permissions = value;
            return this;
        }

        public Claims stripeCustomerId(String value) {
            stripeCustomerId = value;
            return this;
        }

        public UserClaims build() {
            return new UserClaims(sub, email, fullName, location, photo, joined, permissions, stripeCustomerId);
        }
    }

    /** {@link FinishTurn} (with its {@link RunOutcome}) by name. */
    public static final class Finish {
        private final String conversationId;
        private final String userId;
        private final String runId;
        private String text;
        private List<MessageImage> images = List.of();
        private List<MessageSource> sources = List.of();
        private List<String> suggestions = List.of();
        private String model = "m";
        private Integer promptTokens;
        private Integer completionTokens;
        private Double costUsd;
        private RunStatus status = RunStatus.SUCCESS;
        private String error;

        private Finish(String conversationId, String userId, String runId) {
            this.conversationId = conversationId;
            this.userId = userId;
            this.runId = runId;
        }

        public Finish text(String value) {
            text = value;
            return this;
        }

        public Finish images(MessageImage... value) {
            images = List.of(value);
            return this;
        }

        public Finish sources(MessageSource... value) {
            sources = List.of(value);
            return this;
        }

        public Finish suggestions(String... value) {
            suggestions = List.of(value);
            return this;
        }

        public Finish model(String value) {
            model = value;
            return this;
        }

        public Finish tokens(int prompt, int completion) {
            promptTokens = prompt;
            completionTokens = completion;
            return this;
        }

        public Finish cost(double usd) {
            costUsd = usd;
            return this;
        }

        public Finish status(RunStatus value) {
            status = value;
            return this;
        }

        public Finish error(String value) {
            error = value;
            return this;
        }

        public FinishTurn build() {
            return new FinishTurn(conversationId, userId, runId, text, images, sources, suggestions,
                    new RunOutcome(model, promptTokens, completionTokens, costUsd, status, error));
        }
    }
}
