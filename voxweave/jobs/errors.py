"""The jobs' errors, below the library's tree (voxweave.errors).

VoxweaveError
 +-- JobError            a request about a job that cannot be done (the message says why)
      +-- JobNotFound    no such job for this owner: missing and "not yours" read the same
      +-- JobStateError  the job's status does not allow it (resume a finished job, delete a running one)
      +-- UnsafePath     a file name or path that would leave its job's folder
      +-- JobStoreError  the job database cannot be opened or migrated
"""

from __future__ import annotations

from voxweave.errors import VoxweaveError


class JobError(VoxweaveError):
    """Base of the jobs' errors."""


class JobNotFound(JobError):
    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        super().__init__(f"there is no job {job_id!r}")


class JobStateError(JobError):
    pass


class UnsafePath(JobError):
    pass


class JobStoreError(JobError):
    pass


class JobStopped(Exception):
    """Raised inside a job function when it was asked to stop; `status` says how the job ends.

    Not a VoxweaveError: it is control flow between the job function and the runner, not a failure.
    """

    def __init__(self, status: str) -> None:
        self.status = status
        super().__init__(f"job stopped ({status})")
