package io.dataland.auth.account;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** An account as {@code GET /auth/me} shows it: every column but {@code hash} and {@code salt}. */
public record AccountView(long id, String sub, String email, String fullName, String location,
                          String profilePhotoUrl, String stripeCustomerId, OffsetDateTime createdAt) {

    /** The view of {@code account}, timestamps in UTC. */
    public static AccountView of(Account account) {
        return new AccountView(account.id(), account.sub(), account.email(), account.fullName(), account.location(),
                account.profilePhotoUrl(), account.stripeCustomerId(),
                account.createdAt() == null ? null : account.createdAt().withOffsetSameInstant(ZoneOffset.UTC));
    }
}
