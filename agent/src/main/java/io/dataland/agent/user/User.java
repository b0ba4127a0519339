package io.dataland.agent.user;

import java.time.OffsetDateTime;

/**
 * A mobile visitor: one {@code users} row. {@code id} is the token's {@code sub}.
 *
 * @param id                the JWT {@code sub}
 * @param email             e-mail address, unique case-insensitively across users (null when unknown or
 *                          held by another user, see {@link UserRepository})
 * @param fullName          {@code full_name} claim
 * @param location          {@code location} claim
 * @param profilePhotoUrl   {@code profile_photo_url} claim
 * @param joinedDate        {@code joined_date} claim
 * @param accessPermissions the {@code access_permissions} claim, a JSON-encoded list
 * @param stripeCustomerId  {@code stripe_customer_id} claim
 * @param createdAt         when the row was first written (UTC)
 */
public record User(String id, String email, String fullName, String location, String profilePhotoUrl,
                   OffsetDateTime joinedDate, String accessPermissions, String stripeCustomerId,
                   OffsetDateTime createdAt) {
}
