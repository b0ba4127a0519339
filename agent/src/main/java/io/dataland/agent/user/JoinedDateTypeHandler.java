package io.dataland.agent.user;

import java.sql.CallableStatement;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;

import org.apache.ibatis.type.BaseTypeHandler;
import org.apache.ibatis.type.JdbcType;

/**
 * Reads {@code users.joined_date} through {@link JoinedDate#usable}: a row holding {@code infinity},
 * {@code -infinity} or a year outside 1..9999 (written by an older stack or by hand) reads as
 * {@code null} instead of failing every request of its user. Writes as MyBatis' own handler does.
 */
public final class JoinedDateTypeHandler extends BaseTypeHandler<OffsetDateTime> {

    @Override
    public void setNonNullParameter(PreparedStatement ps, int i, OffsetDateTime parameter, JdbcType jdbcType)
            throws SQLException {
        ps.setObject(i, parameter);
    }

    @Override
    public OffsetDateTime getNullableResult(ResultSet rs, String columnName) throws SQLException {
        return JoinedDate.usable(rs.getObject(columnName, OffsetDateTime.class));
    }

    @Override
    public OffsetDateTime getNullableResult(ResultSet rs, int columnIndex) throws SQLException {
        return JoinedDate.usable(rs.getObject(columnIndex, OffsetDateTime.class));
    }

    @Override
    public OffsetDateTime getNullableResult(CallableStatement cs, int columnIndex) throws SQLException {
        return JoinedDate.usable(cs.getObject(columnIndex, OffsetDateTime.class));
    }
}
