"""The exception tree of the cloud video clients, written out in one place.

VoxweaveError
 +-- CloudError                 something went wrong talking to a video service
      +-- TransientError        worth trying again later; the HTTP layer retries these
      |    +-- ConnectionFailed     no connection, or it dropped before an answer came
      |    |    +-- TimedOut        no answer within the read (or connect) timeout
      |    +-- ServerError          HTTP 5xx
      |    +-- RateLimited          HTTP 429 with 1302/1303/1305 (Z.AI) or Throttling (DashScope)
      |    +-- BadResponse          an answer that is not the JSON the API documents
      |    +-- RetriesExhausted     the last of several attempts failed (the last error is the cause)
      +-- RejectedError         the service refused; repeating the same request will not help
      |    +-- AuthError            401, codes 1000-1004, InvalidApiKey, AccessDenied
      |    +-- ContentRefused       1301, DataInspectionFailed: the prompt or image was refused as unsafe
      |    +-- NoBalance            1113, Arrearage: the account has no money left
      |    +-- DailyLimit           1304, Throttling.AllocationQuota: the quota is used up for now
      |    +-- InvalidRequest       400 with 1210/1211/1213/1214, or refused by validation before any HTTP
      |    +-- DuplicateRequest     1231: a task with this request_id already exists
      |    +-- TaskNotFound         polling an unknown or expired task id (404, 400/1214, UNKNOWN)
      +-- TaskFailed            the task ended in FAIL / FAILED / CANCELED
      +-- DeadlineExceeded      the task did not finish within the overall deadline
      +-- ResultExpired         the result URL answers 403/404/410 (links last about a day)
      +-- Cancelled             the caller asked to stop while the task was running

Every CloudError carries `provider`, `operation`, `status` (HTTP), `code` (the provider's code) and a
`hint` (what the user can do); `str(error)` is a complete sentence for the user. Secrets never reach
these messages: `scrub` removes "Bearer ..." always, and the key itself where the caller knows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from voxweave.errors import VoxweaveError

_BEARER = re.compile(r"(?i)\bbearer\s+[^\s\"',;]+")
_REDACTED = "***"


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without bearer tokens and without any of `secrets` (strings of 4+ characters)."""
    text = _BEARER.sub(f"Bearer {_REDACTED}", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, _REDACTED)
    return text


class CloudError(VoxweaveError):
    """Base of the video clients' errors. `str()` says what failed and what the user can do."""

    hint = "Try again later."

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        operation: str | None = None,
        status: int | None = None,
        code: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = scrub(message)
        self.provider = provider
        self.operation = operation
        self.status = status
        self.code = code
        if hint is not None:
            self.hint = hint
        super().__init__(self._sentence())

    @property
    def reason(self) -> str:
        """A short tag for logs: the class, the HTTP status and the provider's code."""
        parts = [type(self).__name__]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code:
            parts.append(f"code {self.code}")
        return ", ".join(parts)

    def _sentence(self) -> str:
        where = " ".join(p for p in (self.provider, self.operation) if p)
        tags = [f"HTTP {self.status}"] if self.status is not None else []
        if self.code:
            tags.append(f"code {self.code}")
        text = f"{where}: {self.message}" if where else self.message
        if tags:
            text += f" ({', '.join(tags)})"
        text = text.rstrip(". ") + "."
        return f"{text} {self.hint}" if self.hint else text


# --- transient: worth another attempt ------------------------------------------------------------


class TransientError(CloudError):
    hint = "This is usually temporary: try again in a minute."

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs) -> None:
        #: Seconds the server asked us to wait (Retry-After), if it said.
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ConnectionFailed(TransientError):
    hint = "Check the internet connection (and any proxy), then try again."

    def __init__(self, message: str, *, request_sent: bool = True, **kwargs) -> None:
        #: False only when the request certainly never reached the service (e.g. connection refused).
        self.request_sent = request_sent
        super().__init__(message, **kwargs)


class TimedOut(ConnectionFailed):
    hint = "The service is slow to answer: try again later."


class ServerError(TransientError):
    hint = "The service had an internal problem: try again in a few minutes."


class RateLimited(TransientError):
    hint = "Too many requests at once: wait a minute, or generate fewer clips in parallel."


class BadResponse(TransientError):
    hint = "Try again later; if this persists, check that the base URL points at the right service."


class RetriesExhausted(TransientError):
    """The final error after retrying: names the operation and the attempts; the last error is `last`."""

    def __init__(self, last: CloudError, attempts: int) -> None:
        self.last = last
        self.attempts = attempts
        super().__init__(
            f"gave up after {attempts} attempt{'s' if attempts != 1 else ''}: {last.message}",
            retry_after=getattr(last, "retry_after", None),
            provider=last.provider,
            operation=last.operation,
            status=last.status,
            code=last.code,
            hint=last.hint,
        )


# --- rejected: repeating the same request will not help -------------------------------------------


class RejectedError(CloudError):
    hint = "The service refused the request; change it before trying again."


class AuthError(RejectedError):
    hint = "Check the API key, and that it belongs to the region of the base URL (keys are regional)."


class ContentRefused(RejectedError):
    hint = "The prompt or image was refused as unsafe: reword the prompt or use another image."


class NoBalance(RejectedError):
    hint = "The account has no balance left: top it up in the provider's console, then try again."


class DailyLimit(RejectedError):
    hint = "The usage limit is reached: try again tomorrow, or raise the limit in the provider's console."


class InvalidRequest(RejectedError):
    hint = "Fix the request and try again."

    def __init__(self, message: str, *, field: str | None = None, allowed: Sequence[object] = (), **kwargs) -> None:
        #: The request field at fault, when known, and the values it accepts.
        self.field = field
        self.allowed = tuple(allowed)
        super().__init__(message, **kwargs)


class DuplicateRequest(RejectedError):
    hint = (
        "A task for this clip already exists, so it was not submitted (nor billed) twice. "
        "Wait for it in the provider's console, or retry later with a new request id."
    )

    def __init__(self, message: str, *, request_id: str | None = None, task_id: str | None = None, **kwargs) -> None:
        self.request_id = request_id
        #: The existing task's id when the service (or our own memory) gave it.
        self.task_id = task_id
        super().__init__(message, **kwargs)


class TaskNotFound(RejectedError):
    hint = "The task is unknown to the service or has expired: generate the clip again."


# --- outcomes of a task ----------------------------------------------------------------------------


class _TaskError(CloudError):
    def __init__(self, message: str, *, task_id: str | None = None, **kwargs) -> None:
        self.task_id = task_id
        super().__init__(message, **kwargs)


class TaskFailed(_TaskError):
    hint = "The service could not make this clip: try again, or reword the prompt or change the image."


class DeadlineExceeded(_TaskError):
    hint = (
        "The clip may still be finishing on the service (and be billed): try again later, or allow a longer deadline."
    )

    def __init__(self, message: str, *, deadline_s: float, **kwargs) -> None:
        self.deadline_s = deadline_s
        super().__init__(message, **kwargs)


class ResultExpired(_TaskError):
    hint = "Result links last about a day and this one no longer works: generate the clip again."


class Cancelled(_TaskError):
    hint = "Stopped on request; the task may still finish, and be billed, on the service."


__all__ = [
    "AuthError",
    "BadResponse",
    "Cancelled",
    "CloudError",
    "ConnectionFailed",
    "ContentRefused",
    "DailyLimit",
    "DeadlineExceeded",
    "DuplicateRequest",
    "InvalidRequest",
    "NoBalance",
    "RateLimited",
    "RejectedError",
    "ResultExpired",
    "RetriesExhausted",
    "ServerError",
    "TaskFailed",
    "TaskNotFound",
    "TimedOut",
    "TransientError",
    "scrub",
]
