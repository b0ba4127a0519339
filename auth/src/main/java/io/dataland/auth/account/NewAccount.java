package io.dataland.auth.account;

/** The values a signup inserts. */
public record NewAccount(String sub, String email, String hash, String salt, String fullName, String location,
                         String profilePhotoUrl) {

    @Override
    public String toString() {
        return "NewAccount[sub=" + sub + "]";
    }
}
