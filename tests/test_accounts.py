from __future__ import annotations

import stat

import pytest

from voxweave.accounts import AccountError, AccountStore, cookie_key


@pytest.fixture
def store(tmp_path):
    return AccountStore(tmp_path / "accounts.db")


def test_first_start_creates_one_admin_whose_password_works(store):
    password = store.ensure_admin()
    assert password and len(password) >= 12
    assert store.ensure_admin() is None
    assert [(u.username, u.role) for u in store.users()] == [("admin", "admin")]
    assert store.verify("admin", password) and not store.verify("admin", "wrong-password")


def test_only_hashes_are_stored(store, tmp_path):
    store.add("ann", "Ann", "correct horse battery")
    assert b"correct horse battery" not in (tmp_path / "accounts.db").read_bytes()
    assert store.credentials()["usernames"]["ann"]["password"].startswith("$2")


def test_disabled_users_cannot_log_in_and_vanish_from_credentials(store):
    store.ensure_admin()
    store.add("bob", "Bob", "password-bob")
    store.set_disabled("bob", True)
    assert not store.verify("bob", "password-bob")
    assert "bob" not in store.credentials()["usernames"]
    store.set_disabled("bob", False)
    assert store.verify("bob", "password-bob")


def test_reset_password_and_roles(store):
    store.ensure_admin()
    store.add("cid", "Cid", "first-password")
    store.set_password("cid", "second-password")
    assert store.verify("cid", "second-password") and not store.verify("cid", "first-password")
    store.set_role("cid", "admin")
    assert store.get("cid").is_admin


@pytest.mark.parametrize("call, message", [
    (lambda s: s.add("Bad Name!", "x", "long-enough"), "username"),
    (lambda s: s.add("dan", "Dan", "short"), "at least"),
    (lambda s: s.add("admin", "Again", "long-enough"), "taken"),
    (lambda s: s.set_disabled("admin", True), "last active admin"),
    (lambda s: s.set_role("admin", "member"), "last active admin"),
    (lambda s: s.set_password("nobody", "long-enough"), "no user"),
])
def test_refusals_say_why(store, call, message):
    store.ensure_admin()
    with pytest.raises(AccountError, match=message):
        call(store)


def test_cookie_key_is_random_kept_and_private(tmp_path):
    first = cookie_key(tmp_path)
    assert len(bytes.fromhex(first)) >= 32
    assert cookie_key(tmp_path) == first
    assert cookie_key(tmp_path / "other") != first
    assert stat.S_IMODE((tmp_path / "cookie_key").stat().st_mode) == 0o600
