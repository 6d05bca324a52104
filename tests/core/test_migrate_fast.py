"""Start-up reads the schema's revision without Alembic when it is at head."""
import subprocess
import sys

from sqlalchemy import text

from taskboard.core.db import Database
from taskboard.core.migrate import (
    at_head, current_revision, file_head, head_revision, known_revisions, stamped_revisions,
)


def test_the_files_name_the_same_head_as_alembic():
    assert file_head() == head_revision()
    assert file_head() in known_revisions()


def test_a_database_at_head_is_seen_as_such(db):
    assert stamped_revisions(db.engine) == [head_revision()]
    assert at_head(db.engine)


def test_an_older_stamp_is_not_at_head(db):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert stamped_revisions(db.engine) == ["0001"]
    assert not at_head(db.engine)


def test_an_empty_database_has_no_stamp(tmp_path):
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert stamped_revisions(engine) is None
    assert not at_head(engine)
    engine.dispose()


def test_opening_a_database_at_head_does_not_import_alembic(db_url):
    Database(db_url).dispose()  # created and migrated here, with Alembic
    code = ("import sys\nfrom taskboard.core.db import Database\n"
            f"db = Database({db_url!r})\n"
            "print('alembic' in sys.modules, db.table_names() != [])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]
    again = Database(db_url)
    assert current_revision(again.engine) == head_revision()
    again.dispose()
