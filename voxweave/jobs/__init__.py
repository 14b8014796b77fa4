"""Jobs that survive: a persistent queue (SQLite), workers that resume after a restart, per-user files.

    queue = JobQueue(settings)                 # the facade the app and the CLI call
    queue.start_runner()                       # run jobs in this process (or run `voxweave worker`)
    job_id = queue.submit_narration(user, "book.epub", data, NarrationRequest(voice="kokoro-onnx:jm_kumo"))
    queue.job(user, job_id).progress           # 0..1, forward only; .eta_seconds while running
    queue.outputs(user, job_id)                # {"audio": Path, "subtitles.srt": Path}
    video_id = queue.submit_video(user, VideoRequest(), from_job=job_id)   # once the narration is done
    queue.job(user, video_id).note             # e.g. why the video was made locally

Modules: models (rows), errors, store (SQLite), files (folders), runner (threads), narration and
video (the job functions), progress (fraction and ETA), api (the facade), config (settings), worker
(the process).
"""

from voxweave.jobs.api import JobQueue, build_runner
from voxweave.jobs.errors import JobError, JobNotFound, JobStateError, JobStoreError, UnsafePath
from voxweave.jobs.models import Job, NarrationRequest, Output, VideoRequest
from voxweave.jobs.runner import Runner
from voxweave.jobs.store import JobStore

__all__ = [
    "Job", "JobError", "JobNotFound", "JobQueue", "JobStateError", "JobStore", "JobStoreError",
    "NarrationRequest", "Output", "Runner", "UnsafePath", "VideoRequest", "build_runner",
]
