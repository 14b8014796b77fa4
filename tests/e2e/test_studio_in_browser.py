"""One member's day in the studio, in a real browser, in order: log in, upload a book, hear two voices,
narrate it, follow the job (through a reload), play and download the audio, make a video of it, look
at Settings, log out; then a second member sees none of it.

The steps share one tab (the `page` fixture) and run in file order; after a failed step the rest are
skipped. Speech is the real default engine (kokoro-onnx on the CPU), so the whole run takes a few minutes.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import MEMBERS, go_to, login, settle
from tests.text.conftest import EpubSpec, write_epub
from voxweave.audio import media_duration

playwright_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package "
                                     "(pip install -e '.[test]')")
expect, PlaywrightError = playwright_api.expect, playwright_api.Error
pytestmark = pytest.mark.slow

FIRST, SECOND = "ana", "ben"
CHAPTERS = [
    ("The Keeper", [
        "Mara kept the old lighthouse on the northern cape.",
        "Every evening she climbed the narrow stairs, wound the clockwork and lit the great lamp, "
        "so that the fishing boats could find their way home through the dark.",
    ]),
    ("The Storm", [
        "One night in late autumn a storm rolled in from the sea, black and sudden.",
        "The wind howled around the tower and the rain struck the glass like gravel, but the lamp kept "
        "turning, and by morning every boat was safe in the harbour.",
        "Mara wrote one line in the logbook, then went down to sleep.",
    ]),
]
BOOK_TITLE = "The Keeper of the Cape"
NARRATION_DONE_S = 180
VIDEO_DONE_S = 120
#: Seconds between the two reads of a progress bar that must show it moving.
PROGRESS_GAP_S = 2.0
MEDIA_READY_MS = 20_000

#: What the steps hand on to the next ones: the first member's job ids, by kind.
state: dict[str, str] = {}


# helpers -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    docs = [(f"ch{n}.xhtml", f"<h1>{title}</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs))
            for n, (title, paragraphs) in enumerate(CHAPTERS, start=1)]
    nav = "".join(f'<li><a href="ch{n}.xhtml">{title}</a></li>' for n, (title, _) in enumerate(CHAPTERS, start=1))
    spec = EpubSpec(docs=docs, nav=f'<nav epub:type="toc"><ol>{nav}</ol></nav>', title=BOOK_TITLE,
                    authors=["Ida Lumen"])
    return write_epub(spec, tmp_path_factory.mktemp("e2e-book") / "keeper.epub")


def job_card(page, job_id: str):
    return page.locator(f".st-key-job_{job_id}")


def progress_of(card) -> float:
    """The percentage a job card's progress bar shows (its text, else its aria value)."""
    bar = card.get_by_test_id("stProgress")
    match = re.search(r"(\d+)%", bar.inner_text())
    if match:
        return float(match.group(1))
    return float(bar.get_by_role("progressbar").get_attribute("aria-valuenow"))


def assert_progress_moves(page, card, within_s: float = 40.0) -> tuple[float, float]:
    """Read the bar, wait, read it again, without touching the page: the second read must be higher."""
    card.get_by_test_id("stProgress").wait_for()
    first = progress_of(card)
    deadline = time.monotonic() + within_s
    while True:
        page.wait_for_timeout(PROGRESS_GAP_S * 1000)
        if card.get_by_test_id("stProgress").count() == 0:  # finished meanwhile: the bar is gone
            later = 100.0
        else:
            later = progress_of(card)
        if later > first:
            return first, later
        assert time.monotonic() < deadline, f"the progress stayed at {first}% for {within_s:.0f} s"


def watch_until_done(page, card, within_s: float) -> list[float]:
    """Read the card's bar every half second until it is gone (the job ended): the values seen."""
    seen: list[float] = []
    deadline = time.monotonic() + within_s
    while card.get_by_test_id("stProgress").count():
        try:
            seen.append(progress_of(card))
        except (AttributeError, TypeError, ValueError, PlaywrightError):
            pass  # redrawn between two reads
        assert time.monotonic() < deadline, f"still running after {within_s:.0f} s (seen {seen})"
        page.wait_for_timeout(500)
    return seen


def wait_done(page, card, within_s: float) -> None:
    """A finished card: its downloads appear, the bar goes, the badge reads Done."""
    card.get_by_test_id("stDownloadButton").first.wait_for(timeout=within_s * 1000)
    settle(page)
    expect(card.get_by_test_id("stProgress")).to_have_count(0)
    expect(card).to_contain_text("Done")


def media_ready(page, selector: str, index: int = 0) -> dict:
    """Wait until the `index`th <audio>/<video> matching `selector` knows its duration; its readyState and duration."""
    found = "([s, i]) => document.querySelectorAll(s)[i]"
    page.wait_for_function(f"a => {{ const m = ({found})(a); return m && m.readyState >= 1 && m.duration > 0; }}",
                           arg=[selector, index], timeout=MEDIA_READY_MS)
    return page.evaluate(f"a => {{ const m = ({found})(a); return {{readyState: m.readyState, duration: m.duration}}; }}",
                         [selector, index])


def no_errors(page) -> None:
    """No red box and no traceback anywhere on the screen."""
    assert page.get_by_test_id("stException").count() == 0, page.get_by_test_id("stException").first.inner_text()
    errors = page.locator("[data-testid='stAlertContentError']")
    assert errors.count() == 0, errors.first.inner_text()


def download(page, button, folder: Path) -> Path:
    with page.expect_download() as caught:
        button.click()
    saved = folder / caught.value.suggested_filename
    caught.value.save_as(saved)
    return saved


# the scenario ------------------------------------------------------------------------------------

def test_login_form_then_signed_in(page, shots):
    page.get_by_label("Username").wait_for()
    shots(page, "01-login")
    login(page, FIRST, MEMBERS[FIRST][1])
    assert page.get_by_test_id("stSidebar").get_by_text(MEMBERS[FIRST][0]).count() == 1
    page.get_by_test_id("stHeading").filter(has_text="Narrate").first.wait_for()
    no_errors(page)


def test_narrate_lists_the_chapters_of_an_uploaded_epub(page, shots, book):
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(book))
    settle(page)
    expect(page.get_by_role("heading", name=BOOK_TITLE)).to_be_visible()
    expect(page.get_by_text(re.compile(r"\b2 chapters\b"))).to_be_visible()
    chosen = page.get_by_test_id("stMultiSelect").filter(has_text="Chapters to narrate")
    for number, (title, _) in enumerate(CHAPTERS, start=1):
        expect(chosen.get_by_text(f"{number}. {title}")).to_be_visible()
    no_errors(page)
    shots(page, "02-narrate")


def test_voices_preview_two_voices_side_by_side(page, shots):
    go_to(page, "Voices")
    page.get_by_role("button", name="Preview", exact=True).click()
    settle(page, timeout=120_000)
    cards = page.get_by_test_id("stAudio")
    cards.nth(1).wait_for()
    assert cards.count() == 2
    assert page.locator("audio").count() == 2
    for index in range(2):
        clip = media_ready(page, "audio", index)
        assert clip["duration"] > 0.5, clip
    no_errors(page)
    shots(page, "03-voices")


def test_narration_starts(page):
    go_to(page, "Narrate")
    page.get_by_role("button", name="Start narration").click()
    settle(page)
    queued = page.get_by_test_id("stAlertContentSuccess").filter(has_text="is queued")
    queued.wait_for()
    state["narration"] = re.search(r"job\s+([0-9a-f]{32})", queued.inner_text()).group(1)
    no_errors(page)


def test_jobs_progress_moves_without_touching_the_page(page, shots):
    go_to(page, "Jobs")
    card = job_card(page, state["narration"])
    card.wait_for()
    before, after = assert_progress_moves(page, card)
    assert after > before


def test_a_reload_keeps_the_login_and_the_running_job(page, shots):
    page.reload()
    settle(page)
    page.get_by_test_id("stSidebar").get_by_text("Signed in as").wait_for()
    assert page.get_by_label("Password", exact=True).count() == 0, "the reload asked for the password again"
    page.get_by_test_id("stHeading").filter(has_text="Jobs").first.wait_for()
    card = job_card(page, state["narration"])
    card.wait_for()
    assert_progress_moves(page, card)
    shots(page, "04-jobs")


def test_narration_finishes_plays_and_downloads(page, tmp_path):
    card = job_card(page, state["narration"])
    wait_done(page, card, NARRATION_DONE_S)
    player = media_ready(page, f".st-key-job_{state['narration']} audio")
    assert player["readyState"] >= 1 and player["duration"] > 1, player
    button = card.get_by_test_id("stDownloadButton").filter(has_text="Audio").get_by_role("button")
    saved = download(page, button, tmp_path)
    assert saved.stat().st_size > 0
    assert media_duration(saved) > 1.0
    no_errors(page)


def test_video_from_the_narration(page, shots, tmp_path):
    go_to(page, "Video")
    page.get_by_role("button", name="Make the video").click()
    settle(page)
    heading = page.get_by_test_id("stHeading").filter(has_text="Your video")
    heading.wait_for()
    card = page.locator("[class*='st-key-job_']").last
    job_id = re.search(r"st-key-job_([0-9a-f]{32})", card.get_attribute("class")).group(1)
    assert job_id != state["narration"]
    state["video"] = job_id
    card = job_card(page, job_id)
    seen = watch_until_done(page, card, VIDEO_DONE_S)
    assert seen == sorted(seen), f"the video's progress went back: {seen}"
    settle(page)
    wait_done(page, card, VIDEO_DONE_S)
    video = media_ready(page, f".st-key-job_{job_id} video")
    assert video["duration"] > 1, video
    button = card.get_by_test_id("stDownloadButton").filter(has_text="Video").get_by_role("button")
    saved = download(page, button, tmp_path)
    assert saved.stat().st_size > 0
    assert media_duration(saved) > 1.0
    no_errors(page)
    shots(page, "05-video")


def test_settings_screen(page, shots):
    go_to(page, "Settings")
    page.get_by_text("Speech engines").first.wait_for()
    no_errors(page)
    shots(page, "06-settings")


def test_logout_then_the_second_member_sees_none_of_it(page, shots):
    page.get_by_test_id("stSidebar").get_by_role("button", name="Log out").click()
    settle(page)
    page.get_by_label("Password", exact=True).wait_for()
    login(page, SECOND, MEMBERS[SECOND][1])
    go_to(page, "Jobs")
    page.get_by_text("No jobs yet").wait_for()
    assert_none_of_the_first_members_jobs(page)
    go_to(page, "Video")
    page.get_by_text("You have no finished narration yet").wait_for()
    assert_none_of_the_first_members_jobs(page)


def assert_none_of_the_first_members_jobs(page) -> None:
    html = page.content()
    for key in ("narration", "video"):
        assert state[key] not in html, f"{SECOND} sees {FIRST}'s {key} job"
    no_errors(page)
