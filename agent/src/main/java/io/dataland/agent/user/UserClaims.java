package io.dataland.agent.user;

import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * The profile a verified token presents for its {@code sub}. A {@code null} field means "the token does
 * not carry this claim": the stored value is kept, never cleared.
 *
 * @param sub               the JWT {@code sub} (required)
 * @param email             {@code email}
 * @param fullName          {@code full_name}
 * @param location          {@code location}
 * @param profilePhotoUrl   {@code profile_photo_url}
 * @param joinedDate        {@code joined_date}
 * @param accessPermissions {@code access_permissions}, already JSON-encoded by the caller
 * @param stripeCustomerId  {@code stripe_customer_id}
 */
public record UserClaims(String sub, String email, String fullName, String location, String profilePhotoUrl,
                         OffsetDateTime joinedDate, String accessPermissions, String stripeCustomerId) {

    /** Requires {@code sub}. */
    public UserClaims {
        Objects.requireNonNull(sub, "sub");
    }

    /** The same claims without the e-mail (the address is held by another user). */
    UserClaims withoutEmail() {
        return new UserClaims(sub, null, fullName, location, profilePhotoUrl, joinedDate, accessPermissions, stripeCustomerId);
    }
}
