"""Several workstations starting at once on a fresh database must not race the migration."""
import subprocess
import sys

import pytest

from taskboard.core.db import Database
from taskboard.core.migrate import current_revision, head_revision

CHILD = r"""
import sys
from taskboard.core.db import Database
from taskboard.core.migrate import current_revision
db = Database(sys.argv[1])
print(current_revision(db.engine))
"""


def _start_together(url: str, n: int = 3) -> list[str]:
    children = [subprocess.Popen([sys.executable, "-c", CHILD, url], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(n)]
    outs = []
    for c in children:
        out, err = c.communicate(timeout=120)
        assert c.returncode == 0, err[-3000:]
        outs.append(out.strip())
    return outs


@pytest.mark.postgresql
def test_processes_migrating_an_empty_postgresql_database_at_once(pg_server):
    name = pg_server.create_database("template0")
    try:
        url = pg_server.url(name)
        assert _start_together(url) == [head_revision()] * 3
        db = Database(url)
        assert current_revision(db.engine) == head_revision()
        assert {"task", "report", "user_account"} <= set(db.table_names())
        db.dispose()
    finally:
        pg_server.drop_database(name)


def test_processes_migrating_an_empty_sqlite_file_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    assert _start_together(url) == [head_revision()] * 3
