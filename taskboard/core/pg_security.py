"""The database's own enforcement of the roles on PostgreSQL (installed by migration 0008).

Each account signs in as a login role of its own name, member of one group role; the group
roles carry exactly the privileges the program needs for that role (``GRANTS``), and
row-level security narrows a reporter's writes to their own unit's pending work. The schema
owner keeps everything and is used for migrations only. SQL text only, no Qt; the functions
the program calls are in ``core.pg_roles``.
"""
from __future__ import annotations

from sqlalchemy.engine import Connection

from taskboard.core import pg_change_log
from taskboard.core.pg_change_log import LOG_SCHEMA

GROUPS = {"admin": "taskboard_admin", "dispatcher": "taskboard_dispatcher",
          "reporter": "taskboard_reporter", "leader": "taskboard_leader"}
ALL_GROUPS = tuple(GROUPS.values())
OFFICE_GROUPS = ("taskboard_admin", "taskboard_dispatcher")

# What everyone reads: the board and what it is computed from.
BOARD_TABLES = ("campaign", "unit", "task", "assignment", "report", "evidence", "evidence_blob",
                "feedback", "urge_notice", "urge_record", "calendar_override", "setting",
                "bulletin", "card_action", "unit_robot", "robot_delivery", "notice_counter",
                "alembic_version", "audit_event")
# Who is who, without password data or lockout state.
DIRECTORY_COLUMNS = ("id", "username", "display_name", "role", "unit_id", "leader_name",
                     "limit_to_own_tasks", "active", "created_at", "must_change_password")
# The office's work (services under permissions OFFICE): written by dispatchers and admins.
OFFICE_TABLES = ("campaign", "unit", "task", "assignment", "report", "evidence",
                 "evidence_blob", "feedback", "urge_notice", "urge_record", "notice_counter",
                 "bulletin", "card_action", "unit_robot", "robot_delivery")
# A reporter's writes, column by column (RLS below limits the rows).
REPORTER_UPDATES = {
    "report": ("text", "progress", "problems", "next_steps", "submitted_by_id",
               "submitted_at", "on_behalf", "late", "source"),
    # submit_report keeps the assignment's latest progress; version is the ORM's lock.
    "assignment": ("progress", "version"),
    "feedback": ("reply", "replied_by_id", "replied_at", "resolved"),
    "urge_notice": ("read_at", "answer", "answered_at"),
    "urge_record": ("reply", "replied_at"),
}
REPORTER_INSERTS = ("report", "evidence", "evidence_blob")
RLS_TABLES = ("report", "evidence", "evidence_blob", "assignment", "feedback", "urge_notice",
              "urge_record", "audit_event")
FUNCTIONS = ("taskboard_account_id()", "taskboard_account_unit()",
             "taskboard_office_sign(bytea)", "taskboard_is_login(text)",
             "taskboard_sync_login(text, text)", "taskboard_rename_login(text, text)",
             "taskboard_change_own_password(text)",
             "taskboard_refuse_change()", "taskboard_stamp_db_user()",
             "taskboard_connects_here(text)", "taskboard_random_key()",
             "taskboard_check_report_time()", "taskboard_reporter_session()")


class OwnerCannotCreateRoles(RuntimeError):
    """The schema owner may not create roles: the server administrator must allow it."""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _owner(conn: Connection) -> tuple[str, bool, bool]:
    """The role owning the tables, whether it may create roles, whether it is a superuser."""
    row = conn.exec_driver_sql(
        "SELECT pg_get_userbyid(c.relowner), r.rolcreaterole, r.rolsuper FROM pg_class c "
        "JOIN pg_roles r ON r.oid = c.relowner WHERE c.oid = 'task'::regclass").one()
    return row[0], bool(row[1]), bool(row[2])


def install(conn: Connection) -> None:
    owner, createrole, superuser = _owner(conn)
    if not (createrole or superuser):
        raise OwnerCannotCreateRoles(
            f"数据库所有者角色“{owner}”没有创建角色的权限，无法为账号建立数据库登录角色。"
            f"请服务器管理员在 psql 中执行：ALTER ROLE {_q(owner)} CREATEROLE; "
            "然后重新启动本程序完成数据库升级。")
    me = conn.exec_driver_sql("SELECT current_user, current_schema(), current_database()").one()
    schema, database = me[1], me[2]

    def ex(sql: str) -> None:
        # The driver reads % as a placeholder; the function bodies are full of them.
        conn.exec_driver_sql(sql.replace("%", "%%"))

    close_database(conn)
    if me[0] != owner:
        # Everything made below belongs to the owner: SECURITY DEFINER runs as the owner.
        ex(f"SET LOCAL ROLE {_q(owner)}")
    ex(f"GRANT CONNECT ON DATABASE {_q(database)} TO {_q(owner)}")
    for group in ALL_GROUPS:
        ex(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{group}') "
           f"THEN CREATE ROLE {group} NOLOGIN; END IF; END $$")
    for statement in (_objects_sql(schema) + pg_change_log.install_sql(path_clause(schema))
                      + _grants_sql(schema) + _policies_sql()):
        ex(statement)
    if me[0] != owner:
        ex("RESET ROLE")


def close_database(conn: Connection) -> None:
    """Login roles get CONNECT on their own database only (a reporter of one office cannot
    enter another office's database on the same server), and nobody but the owner makes
    objects: no tables, functions or temporary tables to shadow the program's."""
    schema, database = conn.exec_driver_sql(
        "SELECT current_schema(), current_database()").one()
    conn.exec_driver_sql(f"REVOKE ALL ON DATABASE {_q(database)} FROM PUBLIC")
    conn.exec_driver_sql(f"REVOKE CREATE ON SCHEMA {_q(schema)} FROM PUBLIC")


def uninstall(conn: Connection) -> None:
    ex = conn.exec_driver_sql
    schema, database = conn.exec_driver_sql(
        "SELECT current_schema(), current_database()").one()
    for statement in pg_change_log.uninstall_sql():
        ex(statement)
    for trig in ("taskboard_audit_no_update", "taskboard_audit_no_truncate",
                 "taskboard_audit_db_user"):
        ex(f"DROP TRIGGER IF EXISTS {trig} ON audit_event")
    ex("DROP TRIGGER IF EXISTS taskboard_report_time ON report")
    for table in RLS_TABLES:
        for (name,) in conn.exec_driver_sql(
                "SELECT policyname FROM pg_policies WHERE tablename = %s AND schemaname = %s",
                (table, schema)).all():
            ex(f"DROP POLICY {_q(name)} ON {table}")
        ex(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    groups = ", ".join(g for g in ALL_GROUPS)
    ex(f"REVOKE ALL ON ALL TABLES IN SCHEMA {_q(schema)} FROM {groups}")
    ex(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {_q(schema)} FROM {groups}")
    ex(f"REVOKE ALL ON SCHEMA {_q(schema)} FROM {groups}")
    for fn in FUNCTIONS:
        ex(f"DROP FUNCTION IF EXISTS {fn}")
    ex(f"GRANT CONNECT, TEMPORARY ON DATABASE {_q(database)} TO PUBLIC")


def path_clause(schema: str) -> str:
    # pg_temp last: a temporary table cannot shadow the program's tables in these functions.
    return f"SET search_path = {_q(schema)}, pg_catalog, pg_temp"


def _objects_sql(schema: str) -> list[str]:
    path = path_clause(schema)
    groups_array = "ARRAY[" + ", ".join(f"'{g}'" for g in ALL_GROUPS) + "]"
    return [
        # --- who is signed in -------------------------------------------------------------
        f"""CREATE FUNCTION taskboard_account_id() RETURNS integer LANGUAGE sql STABLE
            SECURITY DEFINER {path} AS
            $$ SELECT id FROM user_account WHERE username = session_user AND active $$""",
        f"""CREATE FUNCTION taskboard_account_unit() RETURNS integer LANGUAGE sql STABLE
            SECURITY DEFINER {path} AS
            $$ SELECT unit_id FROM user_account WHERE username = session_user AND active $$""",
        # --- the office secret signs without being readable --------------------------------
        f"""CREATE FUNCTION taskboard_office_sign(payload bytea) RETURNS text LANGUAGE plpgsql
            VOLATILE SECURITY DEFINER {path} AS $$
            DECLARE k bytea; ik bytea; ok bytea;
            BEGIN
              SELECT decode(key_hex, 'hex') INTO k FROM office_secret WHERE id = 1;
              IF k IS NULL THEN
                INSERT INTO office_secret (id, key_hex, created_at)
                VALUES (1, encode(taskboard_random_key(), 'hex'), localtimestamp(0))
                ON CONFLICT (id) DO NOTHING;
                SELECT decode(key_hex, 'hex') INTO k FROM office_secret WHERE id = 1;
              END IF;
              IF length(k) > 64 THEN k := sha256(k); END IF;
              k := k || decode(repeat('00', 64 - length(k)), 'hex');
              ik := k; ok := k;
              FOR i IN 0..63 LOOP
                ik := set_byte(ik, i, get_byte(k, i) # 54);
                ok := set_byte(ok, i, get_byte(k, i) # 92);
              END LOOP;
              RETURN encode(sha256(ok || sha256(ik || payload)), 'hex');
            END $$""",
        # Random bytes without pgcrypto: md5 of random() is not a key, so two md5s of
        # gen_random_uuid (PG 13+, from the strong random source) make 32 bytes.
        f"""CREATE FUNCTION taskboard_random_key() RETURNS bytea LANGUAGE sql VOLATILE
            {path} AS $$ SELECT decode(replace(gen_random_uuid()::text || gen_random_uuid()::text,
            '-', ''), 'hex') $$""",
        # --- login roles --------------------------------------------------------------------
        f"""CREATE FUNCTION taskboard_is_login(p_name text) RETURNS text LANGUAGE plpgsql
            STABLE SECURITY DEFINER {path} AS $$
            -- NULL when the role is (or may become) this database's login for an account;
            -- otherwise why not.
            DECLARE r pg_roles%ROWTYPE; other text;
            BEGIN
              SELECT * INTO r FROM pg_roles WHERE rolname = p_name;
              IF NOT FOUND THEN RETURN NULL; END IF;
              IF p_name LIKE 'pg\\_%' OR p_name = ANY({groups_array})
                 OR p_name = (SELECT pg_get_userbyid(relowner) FROM pg_class
                              WHERE oid = 'task'::regclass)
                 OR r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication
                 OR r.rolbypassrls THEN
                RETURN '服务器上已有同名的数据库角色“' || p_name || '”，且不是本程序的账号角色';
              END IF;
              IF EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid
                         AND pg_get_userbyid(m.roleid) <> ALL({groups_array}))
                 OR EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.roleid = r.oid)
                 OR EXISTS (SELECT 1 FROM pg_shdepend d WHERE d.refobjid = r.oid
                            AND d.refclassid = 'pg_authid'::regclass AND d.deptype = 'o') THEN
                RETURN '服务器上已有同名的数据库角色“' || p_name || '”，且不是本程序的账号角色';
              END IF;
              SELECT d.datname INTO other FROM pg_database d, aclexplode(d.datacl) a
               WHERE d.datname <> current_database() AND a.grantee = r.oid LIMIT 1;
              IF other IS NOT NULL THEN
                RETURN '数据库角色“' || p_name || '”已属于同一服务器上的另一数据库（'
                       || other || '），请换一个用户名';
              END IF;
              RETURN NULL;
            END $$""",
        # Granted CONNECT on this database by name (PUBLIC's CONNECT does not count).
        f"""CREATE FUNCTION taskboard_connects_here(p_name text) RETURNS boolean
            LANGUAGE sql STABLE {path} AS $$
            SELECT EXISTS (SELECT 1 FROM pg_database d, aclexplode(d.datacl) a
                           JOIN pg_roles r ON r.oid = a.grantee
                           WHERE d.datname = current_database() AND r.rolname = p_name) $$""",
        f"""CREATE FUNCTION taskboard_sync_login(p_username text, p_verifier text)
            RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER {path} AS $$
            DECLARE acc record; grp text; g text; why text; ours boolean;
            BEGIN
              SELECT username, role, active INTO acc FROM user_account
               WHERE username = p_username;
              IF NOT FOUND THEN RAISE EXCEPTION '账号不存在：%', p_username; END IF;
              grp := CASE acc.role WHEN 'admin' THEN 'taskboard_admin'
                     WHEN 'dispatcher' THEN 'taskboard_dispatcher'
                     WHEN 'reporter' THEN 'taskboard_reporter'
                     WHEN 'leader' THEN 'taskboard_leader' END;
              IF grp IS NULL THEN RAISE EXCEPTION '未知的角色：%', acc.role; END IF;
              IF p_verifier IS NOT NULL
                 AND p_verifier !~ '^SCRAM-SHA-256\\$[0-9]+:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
                RAISE EXCEPTION '密码校验值格式不正确（应为 SCRAM-SHA-256）';
              END IF;
              why := taskboard_is_login(p_username);
              IF why IS NOT NULL THEN RAISE EXCEPTION '%', why; END IF;
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_username) THEN
                EXECUTE format('CREATE ROLE %I NOLOGIN', p_username);
                ours := true;
              ELSE
                ours := taskboard_connects_here(p_username);
              END IF;
              -- SUPERUSER, REPLICATION and BYPASSRLS are not named even to switch them off:
              -- on PostgreSQL 15 only a superuser may mention them, and the schema owner is
              -- not one. taskboard_is_login has already refused a role that has any of them.
              EXECUTE format('ALTER ROLE %I %s NOCREATEDB NOCREATEROLE INHERIT '
                             'CONNECTION LIMIT -1',
                             p_username, CASE WHEN acc.active THEN 'LOGIN' ELSE 'NOLOGIN' END);
              FOREACH g IN ARRAY {groups_array} LOOP
                IF g <> grp AND pg_has_role(p_username, g, 'MEMBER') THEN
                  EXECUTE format('REVOKE %I FROM %I', g, p_username);
                END IF;
              END LOOP;
              EXECUTE format('GRANT %I TO %I', grp, p_username);
              EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(),
                             p_username);
              IF p_verifier IS NOT NULL THEN
                EXECUTE format('ALTER ROLE %I PASSWORD %L', p_username, p_verifier);
              ELSIF NOT ours THEN
                -- A role left behind by a dropped database: its old password must not work.
                EXECUTE format('ALTER ROLE %I PASSWORD NULL', p_username);
              END IF;
            END $$""",
        f"""CREATE FUNCTION taskboard_rename_login(p_old text, p_new text)
            RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER {path} AS $$
            DECLARE why text;
            BEGIN
              IF p_old = p_new THEN RETURN; END IF;
              IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_new) THEN
                RAISE EXCEPTION '服务器上已有名为“%”的数据库角色，请换一个用户名', p_new;
              END IF;
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_old) THEN RETURN; END IF;
              why := taskboard_is_login(p_old);
              IF why IS NOT NULL THEN RAISE EXCEPTION '%', why; END IF;
              IF NOT taskboard_connects_here(p_old) THEN
                RETURN;  -- not this database's login: the new name gets one of its own
              END IF;
              IF p_old = session_user THEN
                RAISE EXCEPTION '不能修改当前登录账号自己的用户名，请用另一管理员账号修改';
              END IF;
              EXECUTE format('ALTER ROLE %I RENAME TO %I', p_old, p_new);
            END $$""",
        f"""CREATE FUNCTION taskboard_change_own_password(p_verifier text)
            RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER {path} AS $$
            BEGIN
              IF taskboard_account_id() IS NULL THEN
                RAISE EXCEPTION '当前数据库登录角色“%”不对应启用的账号', session_user;
              END IF;
              IF p_verifier IS NULL OR p_verifier !~ '^SCRAM-SHA-256\\$[0-9]+:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
                RAISE EXCEPTION '密码校验值格式不正确（应为 SCRAM-SHA-256）';
              END IF;
              EXECUTE format('ALTER ROLE %I PASSWORD %L', session_user, p_verifier);
              UPDATE user_account SET must_change_password = false
               WHERE username = session_user;
            END $$""",
        # --- the audit trail: insert-only, stamped with the connected role ------------------
        f"""CREATE FUNCTION taskboard_refuse_change() RETURNS trigger LANGUAGE plpgsql
            {path} AS $$
            BEGIN
              RAISE EXCEPTION '操作日志只能追加，不能修改或删除（表 %）', TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
            END $$""",
        f"""CREATE FUNCTION taskboard_stamp_db_user() RETURNS trigger LANGUAGE plpgsql
            {path} AS $$ BEGIN NEW.db_user := session_user; RETURN NEW; END $$""",
        "CREATE TRIGGER taskboard_audit_db_user BEFORE INSERT ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION taskboard_stamp_db_user()",
        "CREATE TRIGGER taskboard_audit_no_update BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION taskboard_refuse_change()",
        "CREATE TRIGGER taskboard_audit_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION taskboard_refuse_change()",
        # --- a reporter's report carries the time it was really sent ------------------------
        # The on-time rate and the scores count submitted_at and late; a reporter's own login
        # could otherwise backdate its pending report. The workstation's clock is kept (an
        # office and its server share a zone), within a day of the server's, whatever their
        # zones; late follows from it as the program computes it.
        f"""CREATE FUNCTION taskboard_check_report_time() RETURNS trigger LANGUAGE plpgsql
            {path} AS $$
            BEGIN
              IF NEW.submitted_at IS NULL
                 OR abs(extract(epoch FROM (NEW.submitted_at - localtimestamp))) > 93600 THEN
                RAISE EXCEPTION '报送时间必须是报送的当时，不能改动'
                  USING ERRCODE = 'insufficient_privilege';
              END IF;
              NEW.late := NEW.period < to_char(NEW.submitted_at, 'YYYY-MM');
              -- A digest of the office's import, never the reporter's to set or change.
              IF TG_OP = 'INSERT' THEN NEW.source := ''; ELSE NEW.source := OLD.source; END IF;
              RETURN NEW;
            END $$""",
        # pg_has_role counts a superuser as a member of every role: the owner's and the
        # superuser's bulk loads of past months must pass untouched.
        f"""CREATE FUNCTION taskboard_reporter_session() RETURNS boolean LANGUAGE sql STABLE
            {path} AS $$ SELECT NOT r.rolsuper
                            AND pg_has_role(session_user, 'taskboard_reporter', 'MEMBER')
                         FROM pg_roles r WHERE r.rolname = session_user $$""",
        "CREATE TRIGGER taskboard_report_time BEFORE INSERT OR UPDATE ON report FOR EACH ROW "
        "WHEN (taskboard_reporter_session()) EXECUTE FUNCTION taskboard_check_report_time()",
    ]


def _grants_sql(schema: str) -> list[str]:
    all_groups = ", ".join(ALL_GROUPS)
    office = ", ".join(OFFICE_GROUPS)
    out = [f"GRANT USAGE ON SCHEMA {_q(schema)} TO {all_groups}"]
    out += [f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC" for fn in FUNCTIONS]
    for fn in ("taskboard_account_id()", "taskboard_account_unit()",
               "taskboard_office_sign(bytea)", "taskboard_change_own_password(text)",
               "taskboard_reporter_session()"):
        out.append(f"GRANT EXECUTE ON FUNCTION {fn} TO {all_groups}")
    for fn in ("taskboard_sync_login(text, text)", "taskboard_rename_login(text, text)"):
        out.append(f"GRANT EXECUTE ON FUNCTION {fn} TO taskboard_admin")
    out.append(f"GRANT SELECT ON {', '.join(BOARD_TABLES)} TO {all_groups}")
    out.append(f"GRANT SELECT ({', '.join(DIRECTORY_COLUMNS)}) ON user_account TO {all_groups}")
    out.append("GRANT SELECT ON user_account TO taskboard_admin")
    out.append(f"GRANT USAGE ON SCHEMA {LOG_SCHEMA} TO taskboard_admin")
    out.append(f"GRANT SELECT ON {LOG_SCHEMA}.db_change TO taskboard_admin")
    out.append(f"GRANT INSERT ON audit_event TO {all_groups}")
    out.append(f"GRANT USAGE ON SEQUENCE audit_event_id_seq TO {all_groups}")
    out.append(f"GRANT INSERT, UPDATE ON {', '.join(OFFICE_TABLES)} TO {office}")
    # tasks.update drops a unit that never reported; nothing else is ever deleted.
    out.append(f"GRANT DELETE ON assignment TO {office}")
    # retire_unit hands a merged unit's reporters to the unit taking over its work.
    out.append("GRANT UPDATE (unit_id) ON user_account TO taskboard_dispatcher")
    out.append("GRANT INSERT, UPDATE, DELETE ON setting, calendar_override TO taskboard_admin")
    out.append("GRANT INSERT, UPDATE ON user_account TO taskboard_admin")
    out.append(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {_q(schema)} TO {office}")
    for table, cols in REPORTER_UPDATES.items():
        out.append(f"GRANT UPDATE ({', '.join(cols)}) ON {table} TO taskboard_reporter")
    out.append(f"GRANT INSERT ON {', '.join(REPORTER_INSERTS)} TO taskboard_reporter")
    out.append("GRANT USAGE ON SEQUENCE report_id_seq, evidence_id_seq TO taskboard_reporter")
    return out


_OWN_UNIT = "(SELECT taskboard_account_unit())"
_OWN_ID = "(SELECT taskboard_account_id())"
_OWN_ASSIGNMENTS = f"(SELECT id FROM assignment WHERE unit_id = {_OWN_UNIT})"
_OPEN_OWN_ASSIGNMENTS = (f"(SELECT id FROM assignment WHERE unit_id = {_OWN_UNIT} "
                         "AND NOT archived AND closed_on IS NULL)")


def _policies_sql() -> list[str]:
    everyone, office = ", ".join(ALL_GROUPS), ", ".join(OFFICE_GROUPS)
    out = [f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY" for t in RLS_TABLES]
    for t in RLS_TABLES:
        if t != "audit_event":
            out.append(f"CREATE POLICY taskboard_read ON {t} FOR SELECT TO {everyone} "
                       "USING (true)")
            out.append(f"CREATE POLICY taskboard_office ON {t} FOR ALL TO {office} "
                       "USING (true) WITH CHECK (true)")
    pending_own = (f"status = 'pending' AND assignment_id IN {_OPEN_OWN_ASSIGNMENTS}")
    out += [
        f"""CREATE POLICY taskboard_reporter_insert ON report FOR INSERT TO taskboard_reporter
            WITH CHECK ({pending_own} AND reviewer_id IS NULL AND reviewed_at IS NULL
                        AND coalesce(review_comment, '') = '' AND NOT on_behalf
                        AND submitted_by_id = {_OWN_ID})""",
        f"""CREATE POLICY taskboard_reporter_update ON report FOR UPDATE TO taskboard_reporter
            USING ({pending_own}) WITH CHECK ({pending_own} AND NOT on_behalf
                                              AND submitted_by_id = {_OWN_ID})""",
        f"""CREATE POLICY taskboard_reporter_insert ON evidence FOR INSERT TO taskboard_reporter
            WITH CHECK (report_id IN (SELECT id FROM report WHERE status = 'pending'
                        AND assignment_id IN {_OWN_ASSIGNMENTS}))""",
        """CREATE POLICY taskboard_reporter_insert ON evidence_blob FOR INSERT
            TO taskboard_reporter WITH CHECK (sha256 = encode(sha256(data), 'hex'))""",
        f"""CREATE POLICY taskboard_reporter_update ON assignment FOR UPDATE
            TO taskboard_reporter USING (id IN {_OPEN_OWN_ASSIGNMENTS})
            WITH CHECK (id IN {_OPEN_OWN_ASSIGNMENTS})""",
        f"""CREATE POLICY taskboard_reporter_update ON feedback FOR UPDATE TO taskboard_reporter
            USING (NOT resolved AND assignment_id IN {_OWN_ASSIGNMENTS})
            WITH CHECK (assignment_id IN {_OWN_ASSIGNMENTS}
                        AND (replied_by_id IS NULL OR replied_by_id = {_OWN_ID}))""",
        f"""CREATE POLICY taskboard_reporter_update ON urge_notice FOR UPDATE
            TO taskboard_reporter USING (unit_id = {_OWN_UNIT})
            WITH CHECK (unit_id = {_OWN_UNIT})""",
        f"""CREATE POLICY taskboard_reporter_update ON urge_record FOR UPDATE
            TO taskboard_reporter USING (assignment_id IN {_OWN_ASSIGNMENTS})
            WITH CHECK (assignment_id IN {_OWN_ASSIGNMENTS})""",
        # The trail: sign-in failures may carry a mistyped password in the user name.
        "CREATE POLICY taskboard_read_all ON audit_event FOR SELECT TO taskboard_admin "
        "USING (true)",
        f"""CREATE POLICY taskboard_read ON audit_event FOR SELECT
            TO taskboard_dispatcher, taskboard_reporter, taskboard_leader
            USING (entity <> 'user' OR user_id = {_OWN_ID})""",
        f"""CREATE POLICY taskboard_insert_own ON audit_event FOR INSERT TO {everyone}
            WITH CHECK (user_id = {_OWN_ID})""",
    ]
    return out
