package io.dataland.auth.account;

import java.util.List;

import org.apache.ibatis.annotations.Param;

/** {@code auth_server_users}; SQL in {@code AccountMapper.xml}. */
public interface AccountMapper {

    /** The account with this (normalised) email, or null. */
    Account findByEmail(@Param("email") String email);

    /** The account with this sub, or null. */
    Account findBySub(@Param("sub") String sub);

    /** Inserts; 0 when the email is taken. */
    int insert(NewAccount account);

    /** Up to {@code limit} plain legacy sha256 rows with an id above {@code afterId}, in id order. */
    List<LegacyRow> legacyAfter(@Param("afterId") long afterId, @Param("limit") int limit);

    /** How many rows have a hash matching the LIKE {@code pattern}. */
    long countHashesLike(@Param("pattern") String pattern);

    /** Replaces {@code oldHash} with {@code newHash}; 0 when the row no longer holds {@code oldHash}. */
    int rehash(@Param("id") long id, @Param("oldHash") String oldHash, @Param("newHash") String newHash,
               @Param("salt") String salt);
}
