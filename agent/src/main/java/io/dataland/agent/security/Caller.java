package io.dataland.agent.security;

import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * The authenticated caller: the token's {@code sub} and the profile claims the agent mirrors into its
 * {@code users} row. A profile field is null when the token does not carry the claim.
 *
 * @param accessPermissions the {@code access_permissions} claim, JSON-encoded (as the row stores it)
 * @param expiresAt         the token's {@code exp}
 */
public record Caller(String sub, String email, String fullName, String location, String profilePhotoUrl,
                     OffsetDateTime joinedDate, String accessPermissions, String stripeCustomerId,
                     Instant expiresAt) {
}
