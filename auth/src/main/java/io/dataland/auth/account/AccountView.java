package io.dataland.auth.account;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * An account as {@code GET /auth/me} shows it: every column but {@code hash} and {@code salt}. A profile value
 * ({@code full_name}, {@code location}, {@code profile_photo_url}) that is empty text has no value and is shown
 * as null: {@code location} is {@code NOT NULL DEFAULT ''} since the original system, so an account without
 * one holds {@code ''} (and keeps holding it, for the original stack reading the same table).
 */
public record AccountView(long id, String sub, String email, String fullName, String location,
                          String profilePhotoUrl, String stripeCustomerId, OffsetDateTime createdAt) {

    /** The view of {@code account}, timestamps in UTC. */
    public static AccountView of(Account account) {
        return new AccountView(account.id(), account.sub(), account.email(), valueOrNull(account.fullName()),
                valueOrNull(account.location()), valueOrNull(account.profilePhotoUrl()), account.stripeCustomerId(),
                account.createdAt() == null ? null : account.createdAt().withOffsetSameInstant(ZoneOffset.UTC));
    }

    private static String valueOrNull(String profileValue) {
        return profileValue == null || profileValue.isEmpty() ? null : profileValue;
    }
}
