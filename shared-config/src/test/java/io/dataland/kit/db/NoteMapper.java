package io.dataland.kit.db;

import org.apache.ibatis.annotations.Param;

/** A test mapper: SQL in NoteMapper.xml. */
public interface NoteMapper {

    /** An INSERT ... RETURNING mapped as a select, as the services map theirs; returns the new id. */
    long insertReturning(@Param("note") String note);

    /** A plain insert (marks the session dirty in MyBatis's eyes). */
    int insert(@Param("note") String note);

    /** The id of the statement's transaction (assigning one). */
    String transactionId();

    /** How many notes exist. */
    long count();
}
