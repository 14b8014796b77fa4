"""AppTest fixtures: the real app (entry file, navigation, login guard) over a real studio in a temp folder.

The speech engine is the tone engine, plugged in the way any engine plugin is, so pages run in
seconds; the real engines are tested in tests/tts and in the browser tests.

A trap of AppTest (streamlit 1.67): because the screens live in a `pages/` folder, every run after
the first executes the current page's file by itself, as in the old folder-based navigation,
without the entry file. So the first run goes through streamlit_app.py (login guard, menu), the
user it signed in stays in the session, and later runs exercise the page alone, which is why every
page checks the signed-in user and role itself. `run_entry(at)` runs the entry file again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from voxweave.accounts import AccountStore
from voxweave.config import Settings

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
PASSWORDS = {"admin": "admin-password-1", "ana": "ana-password-1", "ben": "ben-password-1"}
TIMEOUT = 60


def run_entry(at: AppTest) -> AppTest:
    """Run streamlit_app.py itself (not the current page's file alone): see the module's note."""
    at._finished_page_script_hash = ""
    at._page_hash = ""
    return at.run()


def page_texts(at: AppTest) -> str:
    """Every text the run shows, in one string, to look for words in."""
    elements = [*at.title, *at.header, *at.subheader, *at.markdown, *at.caption, *at.text, *at.error,
                *at.warning, *at.info, *at.success]
    return "\n".join(str(e.value) for e in elements)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("VOXWEAVE_DATA_DIR", str(folder))
    monkeypatch.setenv("VOXWEAVE_ENGINE_PLUGINS", "tone=tests.conftest:ToneEngine")
    monkeypatch.setenv("VOXWEAVE_DEFAULT_VOICE", "tone:a4")
    monkeypatch.setenv("VOXWEAVE_JOB_POLL_SECONDS", "0.05")
    monkeypatch.delenv("ZAI_API_KEY", raising=False)
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    accounts = AccountStore.from_settings(Settings())
    accounts.add("admin", "Ada Admin", PASSWORDS["admin"], role="admin")
    accounts.add("ana", "Ana Member", PASSWORDS["ana"])
    accounts.add("ben", "Ben Member", PASSWORDS["ben"])
    return folder


@pytest.fixture
def studio(data_dir: Path) -> Iterator:
    """The studio the app will use (the app's cached one), closed after the test."""
    from webui.services import studio as cached_studio

    cached_studio.clear()
    built = cached_studio()
    yield built
    built.close()
    cached_studio.clear()


@pytest.fixture
def app(studio) -> Callable[..., AppTest]:
    """An AppTest of the whole app, signed in as `user` (None: nobody), on `page` after the first run."""

    def open_app(user: str | None = "ana", page: str | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        if user is not None:
            account = studio.accounts.get(user)
            at.session_state["authentication_status"] = True
            at.session_state["username"] = account.username
            at.session_state["name"] = account.name
        at.run()
        if page is not None:
            at.switch_page(page)
            at.run()
        return at

    return open_app
