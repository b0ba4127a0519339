package io.dataland.auth.account;

import java.time.OffsetDateTime;

/**
 * A row of {@code auth_server_users}. {@code hash} and {@code salt} never leave the server:
 * {@link #toString()} omits them and {@link AccountView} is what responses carry.
 */
public record Account(long id, String sub, String email, String hash, String salt, String fullName,
                      String location, String profilePhotoUrl, String stripeCustomerId, OffsetDateTime createdAt) {

    @Override
    public String toString() {
        return "Account[id=" + id + ", sub=" + sub + "]";
    }
}
