"""db_change: every change to the program's tables, whoever makes it, on PostgreSQL.

The program's own changes are described in the audit trail; a change made around the
program (psql with an account's login) would leave no trace there. Statement-level triggers
with transition tables record each one under the connected role (``session_user``, which a
login cannot change): per updated or deleted row the changed columns with their values
before and after, per inserting statement the new rows' keys. Secrets are never copied.

Each table has a trigger function of its own with static SQL: its plan is prepared once per
connection, which matters when a bulk load sends one INSERT per row.
"""
from __future__ import annotations

LOG_SCHEMA = "taskboard_log"
# Logged tables and the columns whose values are never copied.
LOGGED = {
    "campaign": (), "unit": (), "user_account": ("password_hash",), "task": (),
    "assignment": (), "report": (), "evidence": (), "evidence_blob": ("data",),
    "feedback": (), "urge_notice": (), "unit_robot": (), "robot_delivery": (),
    "notice_counter": (), "urge_record": (), "calendar_override": (), "setting": (),
    "bulletin": (), "card_action": (), "office_secret": ("key_hex",),
}
_KEYS = {"evidence_blob": ("sha256",), "notice_counter": ("year", "kind"),
         "setting": ("key",), "calendar_override": ("day",)}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _key(table: str, alias: str) -> str:
    pk = _KEYS.get(table, ("id",))
    if len(pk) == 1:
        return f"{alias}.{_q(pk[0])}::text"
    return "concat_ws(',', " + ", ".join(f"{alias}.{_q(c)}" for c in pk) + ")"


def _function(table: str, path: str) -> str:
    pk = _KEYS.get(table, ("id",))
    join = " AND ".join(f"o.{_q(c)} = n.{_q(c)}" for c in pk)
    hide = "ARRAY[" + ", ".join(f"'{c}'" for c in LOGGED[table]) + "]::text[]"
    log = f"{LOG_SCHEMA}.db_change"
    return f"""CREATE FUNCTION taskboard_log_{table}() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER {path} AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            INSERT INTO {log} (table_name, op, row_ids)
            SELECT '{table}', 'INSERT', array_agg({_key(table, 'n')}) FROM new_rows n
            HAVING count(*) > 0;
          ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO {log} (table_name, op, row_id, before)
            SELECT '{table}', 'DELETE', {_key(table, 'o')}, to_jsonb(o) - {hide}
              FROM old_rows o;
          ELSE
            INSERT INTO {log} (table_name, op, row_id, columns, before, after)
            SELECT '{table}', 'UPDATE', coalesce(nk, ok), cols,
                   (SELECT jsonb_object_agg(c, oj -> c) FROM unnest(cols) c
                     WHERE c <> ALL ({hide}) AND oj ? c),
                   (SELECT jsonb_object_agg(c, nj -> c) FROM unnest(cols) c
                     WHERE c <> ALL ({hide}) AND nj ? c)
              FROM (SELECT ok, nk, oj, nj,
                           ARRAY(SELECT k FROM jsonb_object_keys(coalesce(nj, oj)) k
                                 WHERE (oj -> k) IS DISTINCT FROM (nj -> k) ORDER BY k) AS cols
                      FROM (SELECT {_key(table, 'o')} AS ok, {_key(table, 'n')} AS nk,
                                   to_jsonb(o) AS oj, to_jsonb(n) AS nj
                              FROM old_rows o FULL JOIN new_rows n ON {join}) y) x
             WHERE cardinality(cols) > 0;
          END IF;
          RETURN NULL;
        END $$"""


def install_sql(path: str) -> list[str]:
    """The log table (insert-only: no role may write it, triggers refuse edits), its
    functions and the triggers; run as the schema owner after taskboard_refuse_change."""
    out = [
        # A schema of its own: the program's tables (and Alembic's comparison) never see it.
        f"CREATE SCHEMA IF NOT EXISTS {LOG_SCHEMA}",
        f"""CREATE TABLE {LOG_SCHEMA}.db_change (
             id bigserial PRIMARY KEY,
             at timestamptz NOT NULL DEFAULT statement_timestamp(),
             db_user text NOT NULL DEFAULT session_user,
             xact bigint NOT NULL DEFAULT txid_current(),
             table_name text NOT NULL,
             op text NOT NULL,
             row_id text,
             row_ids text[],
             columns text[],
             before jsonb,
             after jsonb)""",
        f"CREATE TRIGGER taskboard_db_change_no_update BEFORE UPDATE OR DELETE ON "
        f"{LOG_SCHEMA}.db_change FOR EACH ROW EXECUTE FUNCTION taskboard_refuse_change()",
        f"CREATE TRIGGER taskboard_db_change_no_truncate BEFORE TRUNCATE ON "
        f"{LOG_SCHEMA}.db_change FOR EACH STATEMENT EXECUTE FUNCTION taskboard_refuse_change()",
    ]
    for table in LOGGED:
        out.append(_function(table, path))
        out.append(f"REVOKE ALL ON FUNCTION taskboard_log_{table}() FROM PUBLIC")
        for op in ("INSERT", "UPDATE", "DELETE"):
            ref = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows",
                   "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}[op]
            out.append(f"CREATE TRIGGER taskboard_log_{op.lower()} AFTER {op} ON {table} "
                       f"REFERENCING {ref} FOR EACH STATEMENT "
                       f"EXECUTE FUNCTION taskboard_log_{table}()")
    return out


def uninstall_sql() -> list[str]:
    out = []
    for table in LOGGED:
        for op in ("insert", "update", "delete"):
            out.append(f"DROP TRIGGER IF EXISTS taskboard_log_{op} ON {table}")
        out.append(f"DROP FUNCTION IF EXISTS taskboard_log_{table}()")
    out.append(f"DROP SCHEMA IF EXISTS {LOG_SCHEMA} CASCADE")
    return out
