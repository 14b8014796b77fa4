"""What the web app costs a user: a screen's render time with a long job list, and voice preview latency.

Run: .venv/bin/python bench/bench_web.py [--jobs 200] [--runs 10] [--skip-preview]

1. The Jobs screen with `--jobs` jobs of one user in a fresh data folder, a realistic mix (mostly done,
   some failed, cancelled and running, by a worker of another machine so nothing recovers them), made
   through a JobQueue and marked with the JobStore's worker verbs (claim_next, report, finish). The app
   runs in AppTest as tests/pages do: a first run of streamlit_app.py signed in, a switch to
   pages/jobs.py, then timed re-runs of the page. Prints the first page run, the median and the max
   of `--runs` re-runs, and how many of the jobs the page shows (a warning when not all of them).
2. A voice preview with the real default engine (kokoro-onnx on the CPU) through a Studio on a fresh
   data folder: cold (the model loads), cold with the model loaded (a new passage), warm (the same
   passage again: memory), and warm from the disk cache in a new Studio over the same folder.

Prints figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the app's webui/ package, as `streamlit run` would find it

from voxweave.config import Settings  # noqa: E402

APP = str(ROOT / "streamlit_app.py")
JOBS_PAGE = "pages/jobs.py"
USER, USER_NAME = "ana", "Ana Bench"
WORKER = "bench-elsewhere:1:bench0000"  # another machine's worker: judged by heartbeat only
APP_TIMEOUT_S = 120
#: Share of each status in the job list (the rest are done).
MIX = {"failed": 0.15, "cancelled": 0.10, "running": 0.05}
ERRORS = (
    "synthesise: the engine could not speak chunk 412 ('Chapter 9. The storm …'): onnxruntime error",
    "read: the file is not an EPUB as its name says: it holds a PDF document",
    "encode: ffmpeg failed (exit 1): No space left on device",
)
PASSAGES = (
    "The lighthouse keeper climbed the stairs at dusk, as he had done for thirty years, "
    "and trimmed the wick before the storm came in from the north-east.",
    "Far below, a small boat was fighting its way toward the harbour, and he watched it until it was safe.",
)


# ----------------------------------------------------------------------------- 1. the Jobs screen


def silent_wav(kilobytes: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(24_000)
        out.writeframes(b"\x00\x00" * (kilobytes * 512))
    return buffer.getvalue()


def plan_statuses(count: int) -> list[str]:
    """One status per job, oldest first, the mix spread through the list (running ones the newest)."""
    statuses = ["done"] * count
    running = max(1, round(count * MIX["running"]))
    for i in range(count - running, count):
        statuses[i] = "running"
    for status in ("failed", "cancelled"):
        every = max(2, round(1 / MIX[status]))
        for i in range(every // 2, count - running, every):
            if statuses[i] == "done":
                statuses[i] = status
    return statuses


def fill_jobs(data_dir: Path, count: int, output_kb: int) -> tuple[dict[str, int], list[str]]:
    """`count` narration jobs of USER in the mix of MIX, with output files for the done ones; the count
    of each status and the job ids."""
    from voxweave.jobs import JobQueue, NarrationRequest
    from voxweave.jobs.models import Output

    queue = JobQueue(Settings(data_dir=data_dir))  # no runner: the rows are moved by hand below
    audio = silent_wav(output_kb)
    statuses = plan_statuses(count)
    try:
        for i in range(count):
            queue.submit_narration(USER, f"bench-{i:03d}.md", f"# Book {i}\n\nA short text number {i}.\n".encode(),
                                   NarrationRequest(voice="kokoro-onnx:jm_kumo", audio_format="m4b"))
        for i, status in enumerate(statuses):
            job = queue.store.claim_next(WORKER, ["narration"])
            progress = 1.0 if status == "done" else (i % 10) / 10 + 0.05
            queue.store.report(job, WORKER, stage="synthesise", progress=progress, eta_seconds=120.0 + i)
            if status == "running":
                continue
            outputs: list[Output] = []
            if status == "done":
                out = queue.files.folder(USER, job.id).out
                out.mkdir(parents=True, exist_ok=True)
                (out / f"bench-{i:03d}.m4b").write_bytes(audio)
                (out / f"bench-{i:03d}.srt").write_text(f"1\n00:00:00,000 --> 00:00:02,000\nText {i}.\n")
                outputs = [Output("audio", f"out/bench-{i:03d}.m4b"), Output("subtitles.srt", f"out/bench-{i:03d}.srt")]
            queue.store.finish(job, WORKER, status, error=ERRORS[i % len(ERRORS)] if status == "failed" else None,
                               outputs=outputs)
        found: dict[str, int] = {}
        jobs = queue.jobs_of(USER)
        for job in jobs:
            found[job.status] = found.get(job.status, 0) + 1
        return found, [job.id for job in jobs]
    finally:
        queue.close()


def page_text(at) -> str:
    """Everything the run drew, as text: every element's protobuf (labels, markdown, table bytes)."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


SHOW_MORE = "jobs_show_more"


def jobs_shown(at, job_ids: list[str]) -> int:
    """How many of the jobs the run drew something of: its id (in a container's or widget's key) or its
    file's name (Markdown escapes removed)."""
    text = page_text(at).replace("\\", "")
    return sum(job_id in text or f"bench-{i:03d}.md" in text for i, job_id in enumerate(reversed(job_ids)))


def time_jobs_page(count: int, runs: int, output_kb: int) -> None:
    from streamlit.testing.v1 import AppTest

    from voxweave.accounts import AccountStore

    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    data_dir = folder / "data"
    os.environ.update({
        "VOXWEAVE_DATA_DIR": str(data_dir),
        "VOXWEAVE_JOB_STALE_SECONDS": "86400",  # the app's runner leaves the "running" jobs alone
        "VOXWEAVE_JOB_RESUME_ON_START": "false",
    })
    started = time.perf_counter()
    mix, job_ids = fill_jobs(data_dir, count, output_kb)
    fill_s = time.perf_counter() - started
    accounts = AccountStore.from_settings(Settings())
    accounts.add("admin", "Ada Admin", "admin-password-1", role="admin")
    accounts.add(USER, USER_NAME, "ana-password-1")

    from webui.services import studio as cached_studio

    cached_studio.clear()
    # Outside a script run, studio() and the session-state seeding warn of a missing ScriptRunContext.
    logging.disable(logging.WARNING)
    try:
        studio = cached_studio()  # the app's own studio (jobs runner included), as the server builds it
        at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT_S)
        at.session_state["authentication_status"] = True
        at.session_state["username"] = USER
        at.session_state["name"] = USER_NAME
    finally:
        logging.disable(logging.NOTSET)
    try:
        started = time.perf_counter()
        at.run()
        entry_ms = (time.perf_counter() - started) * 1000
        at.switch_page(JOBS_PAGE)
        started = time.perf_counter()
        at.run()
        first_ms = (time.perf_counter() - started) * 1000
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - started) * 1000)
        shown = jobs_shown(at, job_ids)
        # Then every job on screen: "Show older jobs" until the whole list is drawn.
        clicks = 0
        while any(b.key == SHOW_MORE for b in at.button) and clicks < count:
            at.button(key=SHOW_MORE).click().run()
            clicks += 1
        all_times = []
        for _ in range(runs):
            started = time.perf_counter()
            at.run()
            all_times.append((time.perf_counter() - started) * 1000)
        shown_all = jobs_shown(at, job_ids)
        errors = [str(e.value) for e in at.exception]
    finally:
        studio.close()
        cached_studio.clear()
        shutil.rmtree(folder, ignore_errors=True)

    print(f"== Jobs screen ({JOBS_PAGE}), {count} jobs of one user ==")
    print(f"job mix            {', '.join(f'{n} {s}' for s, n in sorted(mix.items()))}  (made in {fill_s:.1f} s)")
    print(f"entry file run     {entry_ms:8.1f} ms  (streamlit_app.py, signed in, default page)")
    print(f"first page run     {first_ms:8.1f} ms")
    print(f"re-runs (n={runs:<3d})    median {statistics.median(times):8.1f} ms   max {max(times):8.1f} ms"
          f"   min {min(times):8.1f} ms")
    print(f"jobs shown         {shown} of {count} (those in progress and the first page of finished ones)")
    print(f"all shown (n={runs:<3d})  median {statistics.median(all_times):8.1f} ms   max {max(all_times):8.1f} ms"
          f"   ({shown_all} of {count} jobs on screen after {clicks} clicks on 'Show older jobs')")
    if errors:
        print(f"WARNING: the page raised: {errors[0][:300]}")
    if shown_all < count:
        print(f"WARNING: the page rendered {shown_all} of the {count} jobs even after showing them all")


# ----------------------------------------------------------------------------- 2. voice previews


def time_previews() -> None:
    from voxweave.accounts import AccountStore
    from voxweave.service import Studio

    rows: list[tuple[str, float, float, bool]] = []
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as folder:
        settings = Settings(data_dir=Path(folder) / "data")
        voice = settings.default_voice
        AccountStore.from_settings(settings).add("admin", "Ada Admin", "admin-password-1", role="admin")
        studio = Studio(settings, run_jobs=False)
        try:
            for label, passage in (("cold (model loads)", PASSAGES[0]), ("cold, model loaded", PASSAGES[1]),
                                   ("warm (memory)", PASSAGES[0])):
                started = time.perf_counter()
                clip = studio.preview(passage, voice)
                rows.append((label, time.perf_counter() - started, clip.seconds, clip.cached))
            rate = studio.previewer.measured_rate(voice.partition(":")[0])
            engine, _ = studio.registry.resolve(voice)
            device = getattr(engine, "device", "cpu")
        finally:
            studio.close()  # the speech cache is on disk now
        again = Studio(settings, run_jobs=False)
        try:
            started = time.perf_counter()
            clip = again.preview(PASSAGES[0], voice)
            rows.append(("warm (disk, new Studio)", time.perf_counter() - started, clip.seconds, clip.cached))
        finally:
            again.close()

    print(f"== Voice preview, {voice} on {device} ==")
    print(f"{'':26s} {'latency':>10s} {'audio':>8s}  cached")
    for label, seconds, audio, cached in rows:
        print(f"{label:26s} {seconds * 1000:8.1f} ms {audio:6.2f} s  {cached}")
    if rate is not None:
        print(f"measured rate              {rate:.3f} s of work per s of speech (what estimates use)")


def machine() -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine            {platform.machine()}, {os.cpu_count()} CPUs, load average {load}, "
          f"Python {platform.python_version()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--runs", type=int, default=10, help="timed re-runs of the page")
    parser.add_argument("--output-kb", type=int, default=256, help="size of each done job's audio file")
    parser.add_argument("--skip-preview", action="store_true")
    args = parser.parse_args()

    machine()
    time_jobs_page(args.jobs, args.runs, args.output_kb)
    if not args.skip_preview:
        time_previews()
    machine()


if __name__ == "__main__":
    main()
