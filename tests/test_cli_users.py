"""`voxweave users ...` as an admin uses it: in-process, on an accounts database of its own."""

from __future__ import annotations

import io
import re

import pytest

from voxweave.accounts import ACCOUNTS_FILE, AccountStore
from voxweave.cli import EXIT_OK, EXIT_USAGE, main


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("VOXWEAVE_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def store(data_dir) -> AccountStore:
    return AccountStore(data_dir / ACCOUNTS_FILE)


def run(capsys, *args: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["users", *args])
    out, err = capsys.readouterr()
    return code, out, err


def shown_password(out: str) -> str:
    match = re.search(r"password for \S+: (\S+)", out)
    assert match, out
    return match.group(1)


def test_add_without_a_password_prints_a_generated_one_once(store, capsys):
    code, out, err = run(capsys, "add", "Ann", "--name", "Ann Lee")
    assert code == EXIT_OK, err
    password = shown_password(out)
    assert out.count(password) == 1 and "shown once" in out
    assert store.verify("ann", password)
    assert store.get("ann").name == "Ann Lee" and store.get("ann").role == "member"


def test_add_reads_the_password_from_stdin_and_never_prints_it(store, capsys, monkeypatch):
    code, out, err = run(capsys, "add", "bob", "--role", "admin", "--password-stdin", stdin="s3cret-enough\n",
                         monkeypatch=monkeypatch)
    assert code == EXIT_OK, err
    assert "s3cret-enough" not in out + err and "password for" not in out
    assert store.verify("bob", "s3cret-enough") and store.get("bob").is_admin


def test_list_shows_username_name_role_and_state_but_no_hash(store, capsys):
    store.add("ann", "Ann Lee", "password-ann")
    store.add("carl", "Carl", "password-carl", role="admin")
    store.set_disabled("ann", True)
    code, out, _ = run(capsys, "list")
    assert code == EXIT_OK
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert set(rows) == {"ann", "carl"}
    assert "Ann Lee" in rows["ann"] and "member" in rows["ann"] and "disabled" in rows["ann"]
    assert "admin" in rows["carl"] and "active" in rows["carl"]
    assert "$2" not in out  # no bcrypt hash


def test_reset_generates_or_reads_a_new_password(store, capsys, monkeypatch):
    store.add("ann", "Ann", "old-password")
    code, out, err = run(capsys, "reset", "ann")
    assert code == EXIT_OK, err
    generated = shown_password(out)
    assert store.verify("ann", generated) and not store.verify("ann", "old-password")
    code, out, err = run(capsys, "reset", "ann", "--password-stdin", stdin="from-stdin-pw\n", monkeypatch=monkeypatch)
    assert code == EXIT_OK, err
    assert "from-stdin-pw" not in out and store.verify("ann", "from-stdin-pw")


def test_disable_enable_and_role(store, capsys):
    store.ensure_admin()
    store.add("ann", "Ann", "password-ann")
    assert run(capsys, "disable", "ann")[0] == EXIT_OK
    assert store.get("ann").disabled and not store.verify("ann", "password-ann")
    assert run(capsys, "enable", "ann")[0] == EXIT_OK
    assert store.verify("ann", "password-ann")
    code, out, _ = run(capsys, "role", "ann", "admin")
    assert code == EXIT_OK and "admin" in out and store.get("ann").is_admin
    assert run(capsys, "role", "ann", "member")[0] == EXIT_OK
    assert not store.get("ann").is_admin


@pytest.mark.parametrize("args", [["disable", "admin"], ["role", "admin", "member"]])
def test_the_last_admin_is_protected(store, capsys, args):
    store.ensure_admin()
    code, out, err = run(capsys, *args)
    assert code == EXIT_USAGE
    assert err.strip().splitlines() == [err.strip()] and "last active admin" in err and "Traceback" not in err
    assert store.get("admin").is_admin and not store.get("admin").disabled


@pytest.mark.parametrize("args, message", [
    (["add", "x"], "a username is 2-32 characters"),
    (["add", "bad name!"], "a username is 2-32 characters"),
    (["reset", "nobody"], "there is no user 'nobody'"),
    (["enable", "nobody"], "there is no user 'nobody'"),
    (["role", "nobody", "admin"], "there is no user 'nobody'"),
])
def test_bad_requests_get_one_clear_line(store, capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == EXIT_USAGE
    assert message in err and len(err.strip().splitlines()) == 1
    assert "password for" not in out  # nothing was created, so no password to hand out
    assert store.users() == []


def test_a_taken_username_and_a_short_password_are_refused(store, capsys, monkeypatch):
    store.add("ann", "Ann", "password-ann")
    code, _, err = run(capsys, "add", "ann")
    assert code == EXIT_USAGE and "taken" in err
    code, _, err = run(capsys, "add", "bob", "--password-stdin", stdin="short\n", monkeypatch=monkeypatch)
    assert code == EXIT_USAGE and "at least 8 characters" in err
    assert store.get("bob") is None


def test_an_unknown_role_is_a_usage_error(store, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["users", "role", "ann", "owner"])
    assert exit_.value.code == EXIT_USAGE
    assert "invalid choice" in capsys.readouterr().err
