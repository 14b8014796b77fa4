"""The frame: nothing before login, a real login through the form, the menu, logout."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP, PASSWORDS, TIMEOUT, page_texts, run_entry


def _login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return run_entry(at)


def test_nothing_is_shown_before_login(studio):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert not at.header  # no page ran
    assert not at.sidebar.children or "Narrate" not in page_texts(at)


def test_login_with_the_form_opens_the_narrate_page_and_the_menu(studio):
    at = _login(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "ana", PASSWORDS["ana"])
    assert not at.exception
    assert at.session_state["authentication_status"] is True
    assert "Ana Member" in page_texts(at)
    assert at.header[0].value.startswith("Narrate")
    sidebar_buttons = [b.label for b in at.sidebar.button]
    assert "Log out" in sidebar_buttons


def test_a_wrong_password_is_refused_in_words(studio):
    at = _login(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "ana", "not-her-password")
    assert "Wrong username or password" in page_texts(at)
    assert not at.header


def test_a_disabled_account_cannot_get_in(studio):
    studio.accounts.set_disabled("ben", True)
    at = _login(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "ben", PASSWORDS["ben"])
    assert not at.header
    assert "Wrong username or password" in page_texts(at)


def test_logout_returns_to_the_login_form(app):
    at = app("ana")
    assert at.header
    at.sidebar.button(key="voxweave-logout").click()
    at = run_entry(at)
    at = run_entry(at)
    assert not at.header
    assert [t.label for t in at.text_input] == ["Username", "Password"]
