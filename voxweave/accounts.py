"""The team's accounts: usernames, bcrypt password hashes, roles, and the login cookie's secret.

Only hashes are stored. The first start with no account creates an admin with a random password,
which the caller shows once. The cookie secret is generated and kept beside the data, never in the repo.
"""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import bcrypt

from voxweave.errors import VoxweaveError
from voxweave.sqlite_file import SqliteFile

Role = Literal["admin", "member"]
ROLES: tuple[Role, ...] = ("admin", "member")
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
MIN_PASSWORD_LENGTH = 8
COOKIE_KEY_BYTES = 32
#: The accounts database, beside the jobs in the data folder.
ACCOUNTS_FILE = "accounts.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    disabled INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
)
"""


class AccountError(VoxweaveError):
    """A request about accounts that cannot be done (the message says why)."""


@dataclass(frozen=True)
class User:
    username: str
    name: str
    email: str
    role: Role
    disabled: bool

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def new_password() -> str:
    return secrets.token_urlsafe(12)


class AccountStore:
    """Accounts in SQLite; safe to share between the app's sessions and the command line."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file = SqliteFile(self.path, _SCHEMA)

    @classmethod
    def from_settings(cls, settings) -> AccountStore:
        return cls(Path(settings.data_dir) / ACCOUNTS_FILE)

    def users(self) -> list[User]:
        with self._file.connect() as db:
            rows = db.execute("SELECT username, name, email, role, disabled FROM users ORDER BY username").fetchall()
        return [User(u, n, e, r, bool(d)) for u, n, e, r, d in rows]

    def get(self, username: str) -> User | None:
        return next((u for u in self.users() if u.username == username), None)

    def add(self, username: str, name: str, password: str, role: Role = "member", email: str = "") -> User:
        username = username.strip().lower()
        if not USERNAME_PATTERN.match(username):
            raise AccountError("a username is 2-32 characters: lower-case letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise AccountError(f"a role is one of {', '.join(ROLES)}")
        digest = hash_password(password)
        try:
            with self._file.connect() as db:
                db.execute(
                    "INSERT INTO users (username, name, email, password_hash, role, created) VALUES (?, ?, ?, ?, ?, ?)",
                    (username, name.strip() or username, email.strip(), digest, role, time.time()),
                )
        except sqlite3.IntegrityError as e:
            raise AccountError(f"the username {username!r} is taken") from e
        return User(username, name.strip() or username, email.strip(), role, False)

    def _update(self, username: str, column: str, value: object) -> None:
        with self._file.connect() as db:
            changed = db.execute(f"UPDATE users SET {column} = ? WHERE username = ?", (value, username)).rowcount
        if not changed:
            raise AccountError(f"there is no user {username!r}")

    def set_password(self, username: str, password: str) -> None:
        self._update(username, "password_hash", hash_password(password))

    def set_role(self, username: str, role: Role) -> None:
        if role not in ROLES:
            raise AccountError(f"a role is one of {', '.join(ROLES)}")
        if role != "admin" and self._is_last_admin(username):
            raise AccountError("the last active admin cannot lose the admin role")
        self._update(username, "role", role)

    def set_disabled(self, username: str, disabled: bool) -> None:
        if disabled and self._is_last_admin(username):
            raise AccountError("the last active admin cannot be disabled")
        self._update(username, "disabled", int(disabled))

    def _is_last_admin(self, username: str) -> bool:
        admins = [u.username for u in self.users() if u.is_admin and not u.disabled]
        return admins == [username]

    def verify(self, username: str, password: str) -> bool:
        with self._file.connect() as db:
            row = db.execute(
                "SELECT password_hash FROM users WHERE username = ? AND disabled = 0", (username,)
            ).fetchone()
        return bool(row) and bcrypt.checkpw(password.encode("utf-8"), row[0].encode("ascii"))

    def credentials(self) -> dict:
        """The active accounts in the shape streamlit-authenticator takes (hashes only)."""
        with self._file.connect() as db:
            rows = db.execute(
                "SELECT username, name, email, password_hash, role FROM users WHERE disabled = 0"
            ).fetchall()
        return {
            "usernames": {
                u: {"name": n, "email": e or f"{u}@localhost", "password": h, "roles": [r]} for u, n, e, h, r in rows
            }
        }

    def ensure_admin(self) -> str | None:
        """Create the first admin when there is no account; return its password (shown once), else None."""
        if self.users():
            return None
        password = new_password()
        self.add("admin", "Administrator", password, role="admin")
        return password


def cookie_key(folder: Path) -> str:
    """The login cookie's signing secret: made once (32 random bytes), readable only by its owner."""
    path = Path(folder) / "cookie_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(COOKIE_KEY_BYTES)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key
