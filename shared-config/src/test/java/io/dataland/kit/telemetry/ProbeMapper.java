package io.dataland.kit.telemetry;

import java.util.List;

import org.apache.ibatis.annotations.Param;

/** A test mapper: SQL in ProbeMapper.xml. */
public interface ProbeMapper {

    /** {@code n} rows, each carrying {@code secret} (which must never reach a span). */
    List<String> selectNumbers(@Param("n") int n, @Param("secret") String secret);

    /** Inserts {@code n} rows; returns the count. */
    int insertNotes(@Param("n") int n, @Param("secret") String secret);
}
