-- db-stats: the seed's "top tables by live row count" (operator command of both services).
-- n_live_tup is the statistics system's estimate, not an exact COUNT(*). Parameter: the row limit.
SELECT schemaname, relname, n_live_tup, n_dead_tup, last_autovacuum, last_autoanalyze
  FROM pg_stat_user_tables
 ORDER BY n_live_tup DESC, schemaname, relname
 LIMIT ?
