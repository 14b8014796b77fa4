"""The jobs as the web app and the command line use them: submit, follow, stop, resume, fetch files.

Every verb takes the owner; another owner's job reads as missing (JobNotFound). Jobs run in a Runner:
in this process (`JobQueue.start_runner()`, the app's default) or in a `voxweave worker` beside it;
both share the database and the files, so either can take a job the other left.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from uuid import uuid4

from voxweave.jobs.config import JobSettings
from voxweave.jobs.files import JobFiles, safe_filename, safe_owner
from voxweave.jobs.models import RESUMABLE, RETRYABLE, Job, NarrationRequest, VideoRequest
from voxweave.jobs.runner import EngineResolver, JobFunction, Runner
from voxweave.jobs.store import JobStore
from voxweave.jobs.video import Upload

log = logging.getLogger(__name__)


def job_functions() -> dict[str, JobFunction]:
    """The job function of each kind this version can run (preview comes with its feature)."""
    from voxweave.jobs.narration import run_narration
    from voxweave.jobs.video import run_video

    return {"narration": run_narration, "video": run_video}


def build_runner(settings: Any, store: JobStore, files: JobFiles, *, engines: EngineResolver | None = None,
                 **overrides: Any) -> Runner:
    """A Runner configured from the settings: the engine registry, the speech cache, one lane per device."""
    from voxweave.speech_cache import SpeechCache

    if engines is None:
        from voxweave.tts.registry import EngineRegistry

        engines = EngineRegistry(settings).resolve
    config = JobSettings.of(settings)
    options: dict[str, Any] = dict(
        functions=job_functions(),
        engines=engines,
        speech_cache=SpeechCache.from_settings(settings),
        devices=config.devices,
        io_threads=config.io_threads,
        heartbeat_s=config.heartbeat_s,
        poll_s=config.poll_s,
        stale_after_s=config.stale_after_s,
        resume_on_start=config.resume_on_start,
        max_crashes=config.max_crashes,
    )
    options.update(overrides)
    return Runner(store, files, settings, **options)


class JobQueue:
    """The facade over JobStore (rows) and JobFiles (folders), with an optional in-process Runner."""

    def __init__(self, settings: Any, *, store: JobStore | None = None, files: JobFiles | None = None) -> None:
        config = JobSettings.of(settings)
        self.settings = settings
        self.store = store or JobStore(config.db_path)
        self.files = files or JobFiles(config.data_dir)
        self.runner: Runner | None = None

    # running in this process -----------------------------------------------------------------

    def start_runner(self, **overrides: Any) -> Runner:
        """Run jobs in this process too (the app's default); stop it with stop_runner()."""
        if self.runner is None:
            self.runner = build_runner(self.settings, self.store, self.files, **overrides).start()
        return self.runner

    def stop_runner(self, timeout: float = 30.0) -> None:
        if self.runner is not None:
            self.runner.stop(timeout)
            self.runner = None

    # users' verbs ----------------------------------------------------------------------------

    def submit_narration(self, owner: str, filename: str, source: bytes | Path,
                         request: NarrationRequest) -> str:
        """Queue a narration of `source` (an upload's bytes, or a file's path) named `filename`; its id.

        The document is copied into the job's folder before the row is written: a queued row, which a
        worker may claim at once, always has its whole input beside it.
        """
        from voxweave.jobs.narration import narration_params

        safe_owner(owner)
        input_name = safe_filename(filename)
        params = narration_params(request, input_name, self.settings)
        job_id = self._queue(owner, "narration", params, [(input_name, source)])
        log.info("job %s queued: narration of %s for %s", job_id, input_name, owner)
        return job_id

    def submit_video(self, owner: str, request: VideoRequest, *, from_job: str | None = None,
                     audio: Upload | None = None, subtitles: Upload | None = None,
                     image: Upload | None = None) -> str:
        """Queue a video of a narration; its id.

        `from_job` is the owner's finished narration job: its audio, its subtitles (srt, else vtt or
        ass) and, for its cover, its EPUB are copied in. Without it, `audio` (required) and `subtitles`
        are uploads, each (filename, bytes or path). `image` is the picture for background="image".
        The request is checked first (ValueError says what is wrong and lists the good values).
        """
        from voxweave.jobs.video import inputs_from_job, inputs_from_uploads, video_params, with_image

        safe_owner(owner)
        if from_job is not None:
            if audio is not None or subtitles is not None:
                raise ValueError("give a narration job or uploaded audio and subtitles, not both")
            inputs = inputs_from_job(self.store, self.files, owner, from_job)
        else:
            inputs = inputs_from_uploads(audio, subtitles)
        inputs = with_image(inputs, image if request.background == "image" else None)
        params = video_params(request, inputs, self.settings)
        job_id = self._queue(owner, "video", params, inputs.files())
        log.info("job %s queued: video of %s for %s", job_id, inputs.audio[0], owner)
        return job_id

    def _queue(self, owner: str, kind: str, params: dict[str, Any], inputs: list[Upload]) -> str:
        """Copy the inputs into a new job's folder, then write its row (claimable at once) and wake the runner."""
        job_id = uuid4().hex
        folder = self.files.create(owner, job_id)
        try:
            for name, source in inputs:
                if isinstance(source, (bytes, bytearray, memoryview)):
                    self.files.store_input(folder, name, data=bytes(source))
                else:
                    self.files.store_input(folder, name, path=Path(source))
            self.store.create(owner, kind, params, job_id=job_id)
        except BaseException:
            self.files.remove(owner, job_id)
            raise
        if self.runner is not None:
            self.runner.wake()
        return job_id

    def jobs_of(self, owner: str, *, active_only: bool = False, limit: int | None = None) -> list[Job]:
        return self.store.list(owner, statuses=("queued", "running") if active_only else None, limit=limit)

    def job(self, owner: str, job_id: str) -> Job:
        return self.store.get(owner, job_id)

    def cancel(self, owner: str, job_id: str) -> Job:
        """Stop a job: at once if queued, at its next chunk if running (finished chunks are kept)."""
        return self.store.request_cancel(owner, job_id)

    def resume(self, owner: str, job_id: str) -> Job:
        """Queue an interrupted or cancelled job again; it continues from its first missing chunk."""
        return self._requeue(owner, job_id, RESUMABLE, restart=False)

    def retry(self, owner: str, job_id: str) -> Job:
        """Queue a failed or cancelled job again, its progress started over (finished chunks still count)."""
        return self._requeue(owner, job_id, RETRYABLE, restart=True)

    def _requeue(self, owner: str, job_id: str, allowed: frozenset[str], *, restart: bool) -> Job:
        job = self.store.requeue(owner, job_id, allowed=allowed, restart=restart)
        if self.runner is not None:
            self.runner.wake()
        return job

    def delete(self, owner: str, job_id: str) -> None:
        """Forget a job that is not running, and remove its files."""
        self.store.delete(owner, job_id)
        self.files.remove(owner, job_id)

    def outputs(self, owner: str, job_id: str) -> dict[str, Path]:
        """The job's output files by role (audio, subtitles.srt, ...), as absolute paths that exist."""
        job = self.store.get(owner, job_id)
        paths = {output.role: self.files.output_path(owner, job_id, output.path) for output in job.outputs}
        return {role: path for role, path in paths.items() if path.is_file()}

    def output_path(self, owner: str, job_id: str, name: str) -> Path:
        """A path inside the owner's job folder (UnsafePath if `name` would leave it)."""
        self.store.get(owner, job_id)
        return self.files.output_path(owner, job_id, name)

    # administrators --------------------------------------------------------------------------

    def all_jobs(self, *, limit: int | None = None) -> list[Job]:
        """Every user's jobs: call only for an administrator."""
        return self.store.admin_list(limit=limit)

    def close(self) -> None:
        self.stop_runner()
        self.store.close()
