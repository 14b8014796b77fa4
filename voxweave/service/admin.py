"""Managing the team's accounts from the app: every verb checks that the one acting may do it."""

from __future__ import annotations

from voxweave.accounts import AccountError, AccountStore, Role, User, new_password


class NotAllowed(AccountError):
    """The signed-in user may not do this (an admin's task)."""


class UserAdmin:
    def __init__(self, accounts: AccountStore) -> None:
        self._accounts = accounts

    def _admin(self, acting: str) -> None:
        account = self._accounts.get(acting)
        if account is None or account.disabled or not account.is_admin:
            raise NotAllowed("only an admin can manage users")

    def is_admin(self, username: str) -> bool:
        account = self._accounts.get(username)
        return bool(account and account.is_admin and not account.disabled)

    def users(self, acting: str) -> list[User]:
        self._admin(acting)
        return self._accounts.users()

    def add(self, acting: str, username: str, name: str, role: Role = "member") -> str:
        """Create an account; its first password, to hand over once."""
        self._admin(acting)
        password = new_password()
        self._accounts.add(username, name, password, role=role)
        return password

    def reset_password(self, acting: str, username: str) -> str:
        """A new random password for `username`, to hand over once."""
        self._admin(acting)
        password = new_password()
        self._accounts.set_password(username, password)
        return password

    def set_disabled(self, acting: str, username: str, disabled: bool) -> None:
        self._admin(acting)
        if disabled and username == acting:
            raise AccountError("you cannot disable your own account")
        self._accounts.set_disabled(username, disabled)

    def set_role(self, acting: str, username: str, role: Role) -> None:
        self._admin(acting)
        self._accounts.set_role(username, role)

    def change_own_password(self, username: str, current: str, new: str, repeated: str) -> None:
        if not self._accounts.verify(username, current):
            raise AccountError("the current password is wrong")
        if new != repeated:
            raise AccountError("the two new passwords differ")
        self._accounts.set_password(username, new)
