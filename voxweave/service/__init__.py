"""The studio: the one object the web pages call. It builds the engines, the job runner, the caches
and the stores once per process, and offers verbs in the users' terms.

    studio = Studio(Settings())           # the app keeps one (st.cache_resource); tests build their own
    summary = studio.inspect("book.epub", data)
    clip = studio.preview(summary.sample, "kokoro-onnx:af_heart")
    job_id = studio.submit_narration("ana", "book.epub", data, NarrationRequest(voice=clip.voice))
    studio.jobs_of("ana")

Nothing here imports Streamlit; every verb about jobs takes the user, and another user's job reads
as missing.
"""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voxweave.accounts import AccountStore
from voxweave.config import Settings
from voxweave.jobs import Job, JobQueue, NarrationRequest
from voxweave.service.admin import NotAllowed, UserAdmin
from voxweave.service.documents import DocumentSummary, estimate_audio_seconds, summarise
from voxweave.service.previews import Preview, Previewer
from voxweave.service.system import CloudKey, EngineStatus, GpuStatus, cloud_keys, gpu_status, key_is_set
from voxweave.service.votes import Standing, VoteStore
from voxweave.speech_cache import SpeechCache
from voxweave.tts.base import Voice
from voxweave.tts.gate import JOB, GatedEngine, PriorityGate
from voxweave.tts.registry import EngineRegistry
from voxweave.tts.voices import parse_voice

log = logging.getLogger(__name__)

#: Seconds of work per second of speech when nothing was measured yet on this server (CPU figures).
DEFAULT_RATES = {"kokoro-onnx": 0.5, "kokoro": 0.6, "piper": 0.1, "espeak": 0.01, "coqui": 1.5}
FALLBACK_RATE = 1.0
VOTES_FILE = "votes.db"


@dataclass(frozen=True)
class Estimate:
    audio_seconds: float
    work_seconds: float
    measured: bool  # the rate comes from this server's own previews, not a default


@dataclass(frozen=True)
class VideoProviderChoice:
    name: str  # local, zai, wan
    label: str
    available: bool
    reason: str


class Studio:
    def __init__(self, settings: Settings | None = None, *, registry: EngineRegistry | None = None,
                 run_jobs: bool = True) -> None:
        self.settings = settings or Settings()
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.accounts = AccountStore.from_settings(self.settings)
        first_password = self.accounts.ensure_admin()
        if first_password:  # the app was started without `voxweave serve`: the terminal is the only place
            print(f"VoxWeave first start: log in as 'admin' with password {first_password} "
                  "(shown once; change it in Settings)", file=sys.stderr, flush=True)
        self.registry = registry or EngineRegistry(self.settings)
        self.gate = PriorityGate()
        self.speech_cache = SpeechCache.from_settings(self.settings)
        self.queue = JobQueue(self.settings)
        self.previewer = Previewer(self.registry.resolve, self.gate, self.speech_cache)
        self.votes = VoteStore(self.settings.data_dir / VOTES_FILE)
        self.users = UserAdmin(self.accounts)
        self._lock = threading.Lock()
        self._engine_statuses: list[EngineStatus] | None = None
        self._voices: list[Voice] | None = None
        self._gpu: GpuStatus | None = None
        if run_jobs:
            self.start_jobs()

    def _job_engine(self, voice_id: str) -> tuple[Any, Any]:
        engine, spec = self.registry.resolve(voice_id)
        return GatedEngine(engine, self.gate, JOB), spec

    def start_jobs(self) -> None:
        """Run queued jobs in this process (their speech goes through the gate, after previews)."""
        self.queue.start_runner(engines=self._job_engine, speech_cache=self.speech_cache)

    def stop_jobs(self) -> None:
        """Stop running jobs here; those running are left interrupted, to resume on the next start."""
        self.queue.stop_runner()

    def close(self) -> None:
        self.queue.close()
        if self.speech_cache is not None:
            self.speech_cache.flush()

    # engines and voices ----------------------------------------------------------------------

    def engine_statuses(self) -> list[EngineStatus]:
        """Every engine, whether it can be used, and why not (checked once per process)."""
        with self._lock:
            if self._engine_statuses is None:
                self._engine_statuses = [EngineStatus(name, bool(a), a.reason) for name, a in self.registry.describe()]
            return list(self._engine_statuses)

    def voices(self) -> list[Voice]:
        """The voices of the available engines, the default voice's engine first."""
        with self._lock:
            if self._voices is None:
                default_engine = self.default_voice.partition(":")[0]
                voices = self.registry.all_voices()
                self._voices = sorted(voices, key=lambda v: (v.id.partition(":")[0] != default_engine, v.id))
            return list(self._voices)

    @property
    def default_voice(self) -> str:
        return self.settings.default_voice

    def preview(self, text: str, voice: str, speed: float = 1.0) -> Preview:
        return self.previewer.preview(text, voice, speed)

    # documents -------------------------------------------------------------------------------

    def inspect(self, filename: str, data: bytes) -> DocumentSummary:
        """Chapters, length and a sample passage of an upload (IngestError says what is wrong)."""
        return summarise(filename, data)

    def estimate(self, chars: int, voice: str, speed: float = 1.0) -> Estimate:
        """How long the audio will be, and how long making it should take on this server."""
        default_engine = parse_voice(self.default_voice).engine
        engine = parse_voice(voice or self.default_voice, default_engine=default_engine).engine
        measured = self.previewer.measured_rate(engine)
        rate = measured if measured is not None else DEFAULT_RATES.get(engine, FALLBACK_RATE)
        seconds = estimate_audio_seconds(chars, speed)
        return Estimate(seconds, seconds * rate, measured is not None)

    # jobs ------------------------------------------------------------------------------------

    def submit_narration(self, user: str, filename: str, data: bytes | Path, request: NarrationRequest) -> str:
        return self.queue.submit_narration(user, filename, data, request)

    def submit_video(self, user: str, request: Any, **sources: Any) -> str:
        """Queue a video (see JobQueue.submit_video: from_job=, or audio=/subtitles=/image= uploads)."""
        return self.queue.submit_video(user, request, **sources)

    def jobs_of(self, user: str, *, limit: int | None = None) -> list[Job]:
        return self.queue.jobs_of(user, limit=limit)

    def finished_narrations(self, user: str) -> list[Job]:
        return [job for job in self.queue.jobs_of(user) if job.kind == "narration" and job.status == "done"]

    def job(self, user: str, job_id: str) -> Job:
        return self.queue.job(user, job_id)

    def cancel(self, user: str, job_id: str) -> Job:
        return self.queue.cancel(user, job_id)

    def resume(self, user: str, job_id: str) -> Job:
        return self.queue.resume(user, job_id)

    def retry(self, user: str, job_id: str) -> Job:
        return self.queue.retry(user, job_id)

    def delete(self, user: str, job_id: str) -> None:
        self.queue.delete(user, job_id)

    def outputs(self, user: str, job_id: str) -> dict[str, Path]:
        """The job's files by role, checked to be the user's own."""
        return self.queue.outputs(user, job_id)

    def read_output(self, user: str, job_id: str, role: str) -> bytes:
        """A file's bytes for a download, read when the user clicks (JobNotFound if not theirs)."""
        outputs = self.queue.outputs(user, job_id)
        if role not in outputs:
            raise FileNotFoundError(f"job {job_id} has no {role} file")
        return outputs[role].read_bytes()

    # blind comparisons -----------------------------------------------------------------------

    def record_choice(self, user: str, voice_a: str, voice_b: str, winner: str, passage: str) -> None:
        self.votes.record(user, voice_a, voice_b, winner, passage)

    def leaderboard(self, user: str | None = None) -> list[Standing]:
        return self.votes.leaderboard(user)

    # the server ------------------------------------------------------------------------------

    def gpu(self) -> GpuStatus:
        with self._lock:
            if self._gpu is None:
                self._gpu = gpu_status()
            return self._gpu

    def cloud_keys(self) -> list[CloudKey]:
        return cloud_keys()

    def video_providers(self) -> list[VideoProviderChoice]:
        choices = [VideoProviderChoice("local", "Local (ffmpeg, no cloud)", True, "")]
        for key in cloud_keys():
            reason = "" if key.is_set else f"no key: an admin sets {key.variable} on the server"
            choices.append(VideoProviderChoice(key.provider, key.label, key.is_set, reason))
        return choices

    def provider_available(self, name: str) -> bool:
        return name == "local" or key_is_set(name)


__all__ = ["DocumentSummary", "Estimate", "NotAllowed", "Preview", "Standing", "Studio", "VideoProviderChoice"]
