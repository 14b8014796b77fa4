"""Settings: engines and their reasons, GPU, keys set or not (never values), passwords, users for admins only."""

from __future__ import annotations

from tests.pages.conftest import PASSWORDS, page_texts

SETTINGS = "pages/settings.py"


def test_a_member_sees_engines_gpu_and_keys_but_no_user_management(app, monkeypatch):
    monkeypatch.setenv("ZAI_API_KEY", "zai-secret-value-123")
    at = app("ana", SETTINGS)
    assert not at.exception
    text = page_texts(at)
    engines = at.dataframe[0].value
    assert "tone" in list(engines["Engine"])
    unavailable = [reason for available, reason in zip(engines["Available"], engines["Details"]) if "no" in available]
    assert all(reason.strip() for reason in unavailable)  # every missing engine says why
    assert "GPU" in [s.value for s in at.subheader]
    assert "key set" in text and "key not set" in text
    assert "zai-secret-value-123" not in text
    assert "Managing users is for admins." in text
    assert "Users" not in [s.value for s in at.subheader]
    assert not [b for b in at.button if b.key and b.key.startswith(("reset_", "disable_"))]


def test_a_member_cannot_manage_users_even_through_the_studio(studio):
    import pytest

    from voxweave.service import NotAllowed

    with pytest.raises(NotAllowed):
        studio.users.users("ana")
    with pytest.raises(NotAllowed):
        studio.users.add("ana", "eve", "Eve")


def test_an_admin_adds_a_user_and_hands_over_a_password_shown_once(app, studio):
    at = app("admin", SETTINGS)
    assert "Users" in [s.value for s in at.subheader]
    form_inputs = [t for t in at.text_input if t.label in ("Username", "Full name")]
    form_inputs[0].input("carla")
    form_inputs[1].input("Carla New")
    next(b for b in at.button if b.label == "Add user").click()
    at.run()
    assert not at.exception
    password = at.code[0].value
    assert studio.accounts.verify("carla", password)
    at.run()
    assert not at.code  # shown once


def test_an_admin_resets_disables_and_changes_roles(app, studio):
    at = app("admin", SETTINGS)
    at.button(key="reset_ben").click().run()
    assert studio.accounts.verify("ben", at.code[0].value)
    assert not studio.accounts.verify("ben", PASSWORDS["ben"])
    at.button(key="disable_ben").click().run()
    assert studio.accounts.get("ben").disabled
    at.button(key="disable_ben").click().run()
    assert not studio.accounts.get("ben").disabled
    at.selectbox(key="role_ana").select("admin").run()
    assert studio.accounts.get("ana").is_admin


def test_the_last_admin_keeps_the_role_and_the_page_says_why(app, studio):
    at = app("admin", SETTINGS)
    at.selectbox(key="role_admin").select("member").run()
    assert not at.exception
    assert studio.accounts.get("admin").is_admin
    assert "last active admin" in page_texts(at)
    assert at.selectbox(key="role_admin").value == "admin"


def test_changing_your_own_password(app, studio):
    at = app("ana", SETTINGS)
    inputs = {t.label: t for t in at.text_input}
    inputs["Current password"].input(PASSWORDS["ana"])
    inputs["New password"].input("a-brand-new-pass")
    inputs["New password again"].input("a-brand-new-pass")
    next(b for b in at.button if b.label == "Change password").click()
    at.run()
    assert "Password changed." in page_texts(at)
    assert studio.accounts.verify("ana", "a-brand-new-pass")


def test_a_wrong_current_password_changes_nothing(app, studio):
    at = app("ana", SETTINGS)
    inputs = {t.label: t for t in at.text_input}
    inputs["Current password"].input("wrong-one-here")
    inputs["New password"].input("a-brand-new-pass")
    inputs["New password again"].input("a-brand-new-pass")
    next(b for b in at.button if b.label == "Change password").click()
    at.run()
    assert "current password is wrong" in page_texts(at)
    assert studio.accounts.verify("ana", PASSWORDS["ana"])
