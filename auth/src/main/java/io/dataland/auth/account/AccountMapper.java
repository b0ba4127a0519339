package io.dataland.auth.account;

import org.apache.ibatis.annotations.Param;

/** {@code auth_server_users}; SQL in {@code AccountMapper.xml}. */
public interface AccountMapper {

    /** The account with this (normalised) email, or null. */
    Account findByEmail(@Param("email") String email);

    /** The account with this sub, or null. */
    Account findBySub(@Param("sub") String sub);

    /** Inserts; 0 when the email is taken. */
    int insert(NewAccount account);

    /** Replaces {@code oldHash} with {@code newHash}; 0 when the row no longer holds {@code oldHash}. */
    int rehash(@Param("id") long id, @Param("oldHash") String oldHash, @Param("newHash") String newHash,
               @Param("salt") String salt);
}
