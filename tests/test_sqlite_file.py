import sqlite3

import pytest

from voxweave.sqlite_file import SqliteFile

SCHEMA = "CREATE TABLE IF NOT EXISTS notes (text TEXT NOT NULL)"


def test_makes_the_folder_and_the_schema(tmp_path):
    path = tmp_path / "deep" / "folder" / "notes.db"
    SqliteFile(path, SCHEMA)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM notes").fetchone() == (0,)


def test_a_block_commits_and_a_failing_block_rolls_back(tmp_path):
    file = SqliteFile(tmp_path / "notes.db", SCHEMA)
    with file.connect() as db:
        db.execute("INSERT INTO notes VALUES ('kept')")
    with pytest.raises(RuntimeError), file.connect() as db:
        db.execute("INSERT INTO notes VALUES ('dropped')")
        raise RuntimeError("boom")
    with file.connect() as db:
        assert db.execute("SELECT text FROM notes").fetchall() == [("kept",)]


def test_the_connection_is_closed_after_the_block(tmp_path):
    file = SqliteFile(tmp_path / "notes.db", SCHEMA)
    with file.connect() as db:
        pass
    with pytest.raises(sqlite3.ProgrammingError):
        db.execute("SELECT 1")


def test_reopening_keeps_the_rows(tmp_path):
    path = tmp_path / "notes.db"
    with SqliteFile(path, SCHEMA).connect() as db:
        db.execute("INSERT INTO notes VALUES ('a')")
    with SqliteFile(path, SCHEMA).connect() as db:
        assert db.execute("SELECT COUNT(*) FROM notes").fetchone() == (1,)
