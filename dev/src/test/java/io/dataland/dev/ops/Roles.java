package io.dataland.dev.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.dataland.testkit.TestDatabase;

/**
 * The least-privilege roles in the tests: compose/adopt-roles.sh run on a test database as the embedded
 * server's superuser, the services' URLs for each role, and compose/postgres/check-roles.sql's findings.
 * Roles are per server, so every test sets the passwords it then uses (the script re-sets them).
 */
final class Roles {

    static final String AGENT = "dataland_agent";
    static final String AUTH = "dataland_auth";
    static final String MONITOR = "dataland_monitor";
    /** Hex, as .env.example advises: nothing to escape in a URL. */
    static final Map<String, String> PASSWORDS = Map.of(AGENT, "a9e1c04f7d", AUTH, "b17f3e2a90", MONITOR, "c0d4e88b21");

    private Roles() {
    }

    /** The adopt step's environment: the three passwords and the superuser's URL for {@code db}. */
    static Map<String, String> adoptEnv(TestDatabase db) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AGENT_DB_PASSWORD", PASSWORDS.get(AGENT));
        env.put("AUTH_DB_PASSWORD", PASSWORDS.get(AUTH));
        env.put("MONITOR_DB_PASSWORD", PASSWORDS.get(MONITOR));
        // zonky's superuser, trusted on the loopback interface
        env.put("ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:" + db.server().port() + "/" + db.name());
        for (String libpq : List.of("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE")) {
            env.put(libpq, null);
        }
        return env;
    }

    /** {@code compose/adopt-roles.sh --local} on {@code db}. */
    static Ops.Result adopt(TestDatabase db, Path dir) {
        Ops.requireTool("psql", "postgresql-client");
        return Ops.run(List.of(Ops.composeDir().resolve("adopt-roles.sh").toString(), "--local",
                "--env-file", dir.resolve("no.env").toString()), dir, adoptEnv(db), 120);
    }

    /** {@code postgresql://ROLE:PASSWORD@127.0.0.1:PORT/NAME}. */
    static String url(TestDatabase db, String role) {
        return "postgresql://" + role + ":" + PASSWORDS.get(role) + "@127.0.0.1:" + db.server().port() + "/" + db.name();
    }

    /** A connection to {@code db} as {@code role}. */
    static Connection connect(TestDatabase db, String role) throws SQLException {
        return java.sql.DriverManager.getConnection(db.jdbcUrl(), role, PASSWORDS.get(role));
    }

    /** What check-roles.sql finds wrong on {@code c}'s database (empty: the roles are right). */
    static List<String> findings(Connection c) throws SQLException, IOException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(Files.readString(Ops.composeDir().resolve("postgres/check-roles.sql")))) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
