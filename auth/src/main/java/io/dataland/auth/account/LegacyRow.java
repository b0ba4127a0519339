package io.dataland.auth.account;

/** A plain legacy sha256 row as {@code wrap-legacy-hashes} reads it: never logged (its hash is crackable). */
public record LegacyRow(long id, String hash, String salt) {
    @Override
    public String toString() {
        return "LegacyRow[" + id + "]";
    }
}
