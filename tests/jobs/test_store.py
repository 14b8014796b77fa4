"""The job table on disk: schema migration, owners' isolation, atomic claims, recovery of dead workers."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest

from voxweave.jobs.errors import JobNotFound, JobStateError, JobStoreError
from voxweave.jobs.models import Output
from voxweave.jobs.store import MIGRATIONS, SCHEMA_VERSION, JobStore

# The schema as version 1 shipped it, written out here so that this test keeps meaning the old one.
V1_SCHEMA = """
CREATE TABLE jobs (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, kind TEXT NOT NULL, params TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL, stage TEXT NOT NULL DEFAULT '', progress REAL NOT NULL DEFAULT 0, error TEXT,
    outputs TEXT NOT NULL DEFAULT '[]', created REAL NOT NULL, updated REAL NOT NULL
);
CREATE INDEX jobs_by_owner ON jobs (owner, created);
PRAGMA user_version = 1;
"""


@pytest.fixture
def store(tmp_path):
    jobs = JobStore(tmp_path / "voxweave.db")
    yield jobs
    jobs.close()


def test_a_version_1_database_is_migrated_and_keeps_its_jobs(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.executescript(V1_SCHEMA)
        db.execute("INSERT INTO jobs VALUES ('a' || hex(randomblob(15)), 'ann', 'narration', ?, 'done', 'done', 1.0, "
                   "NULL, ?, 1.0, 2.0)", (json.dumps({"input": "old.epub"}), json.dumps([{"role": "audio", "path": "out/old.m4b"}])))
        db.execute("INSERT INTO jobs VALUES ('b' || hex(randomblob(15)), 'ann', 'narration', '{}', 'queued', '', 0, "
                   "NULL, '[]', 3.0, 3.0)")
    db.close()

    store = JobStore(path)
    assert store.schema_version == SCHEMA_VERSION == 3
    done, queued = sorted(store.list("ann"), key=lambda j: j.created)
    assert done.status == "done" and done.params["input"] == "old.epub" and done.note is None
    assert done.outputs == (Output("audio", "out/old.m4b"),) and done.eta_seconds is None and done.attempts == 0
    claimed = store.claim_next("w1", ["narration"])
    assert claimed.id == queued.id and claimed.worker == "w1" and claimed.attempts == 1
    store.close()
    assert JobStore(path).schema_version == SCHEMA_VERSION  # opening again changes nothing


def test_a_version_2_database_gains_notes(tmp_path):
    path = tmp_path / "v2.db"
    with sqlite3.connect(path) as db:  # version 1, then the shipped step to 2 (steps are never edited)
        db.executescript(V1_SCHEMA)
        for statement in MIGRATIONS[1]:
            db.execute(statement)
        db.execute("PRAGMA user_version = 2")
        db.execute("INSERT INTO jobs (id, owner, kind, status, created, updated) "
                   "VALUES ('c' || hex(randomblob(15)), 'ann', 'video', 'queued', 1.0, 1.0)")
    db.close()

    store = JobStore(path)
    assert store.schema_version == SCHEMA_VERSION
    job = store.claim_next("w1", ["video"])
    assert job.note is None and store.set_note(job, "w1", "Z.AI failed: made locally instead")
    assert not store.set_note(job, "w2", "not that worker's job")
    store.finish(job, "w1", "done")
    assert store.get("ann", job.id).note == "Z.AI failed: made locally instead"  # kept once done
    store.close()


def test_a_note_is_cleared_when_the_job_runs_again(store):
    job = store.create("ann", "video", {})
    claimed = store.claim_next("w1", ["video"])
    store.set_note(claimed, "w1", "subtitles delivered as a separate file")
    store.finish(claimed, "w1", "failed", error="boom")
    assert store.get("ann", job.id).note == "subtitles delivered as a separate file"
    assert store.requeue("ann", job.id, allowed={"failed"}, restart=True).note is None


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "new.db"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(JobStoreError, match="newer"):
        JobStore(path)


def test_owners_see_only_their_own_jobs(store):
    ann = store.create("ann", "narration", {"input": "a.md"})
    store.create("bob", "narration", {"input": "b.md"})
    assert [j.id for j in store.list("ann")] == [ann.id]
    for act in (lambda: store.get("bob", ann.id), lambda: store.request_cancel("bob", ann.id),
                lambda: store.requeue("bob", ann.id, allowed=["queued"], restart=False),
                lambda: store.delete("bob", ann.id), lambda: store.get("ann", "f" * 32)):
        with pytest.raises(JobNotFound):
            act()
    assert store.get("ann", ann.id).status == "queued"
    assert {j.owner for j in store.admin_list()} == {"ann", "bob"}


def test_each_queued_job_is_claimed_by_exactly_one_worker(tmp_path):
    path = tmp_path / "voxweave.db"
    setup = JobStore(path)
    ids = {setup.create(f"user{i % 3}", "narration", {}).id for i in range(30)}
    claims: dict[str, list[str]] = {}
    lock = threading.Lock()

    def work(name: str) -> None:
        own = JobStore(path, busy_timeout=30)  # its own connections, like another process
        while (job := own.claim_next(name, ["narration"])) is not None:
            with lock:
                claims.setdefault(job.id, []).append(name)
        own.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(claims) == ids and all(len(who) == 1 for who in claims.values())


def test_progress_never_goes_back_and_only_done_reaches_one(store):
    store.create("ann", "narration", {})
    job = store.claim_next("w1", ["narration"])
    store.report(job, "w1", stage="synthesise", progress=0.5, eta_seconds=10)
    store.report(job, "w1", stage="synthesise", progress=0.3, eta_seconds=12)
    assert store.get("ann", job.id).progress == 0.5
    store.report(job, "w1", stage="encode", progress=1.0, eta_seconds=1)
    assert store.get("ann", job.id).progress < 1.0
    assert not store.report(job, "w2", stage="x", progress=0.9, eta_seconds=None)  # not that worker's job
    assert store.finish(job, "w1", "done", outputs=[Output("audio", "out/a.wav")])
    finished = store.get("ann", job.id)
    assert (finished.status, finished.progress, finished.eta_seconds) == ("done", 1.0, None)


def test_jobs_of_dead_workers_are_requeued_and_a_job_that_keeps_killing_them_fails(store):
    for _ in range(3):
        store.create("ann", "narration", {})
    dead, alive, silent = (store.claim_next(w, ["narration"]) for w in ("dead", "alive", "silent"))
    with sqlite3.connect(store.path) as db:  # "silent" stopped beating a minute ago
        db.execute("UPDATE jobs SET heartbeat = ? WHERE id = ?", (time.time() - 60, silent.id))
    db.close()
    recovered = store.recover(stale_after=30, is_dead=lambda w: w == "dead", requeue=True, max_crashes=3)
    assert set(recovered) == {dead.id, silent.id}
    assert store.get("ann", alive.id).status == "running"
    assert store.get("ann", dead.id).status == "queued" and store.get("ann", dead.id).crashes == 1

    for attempt in range(2):
        job = store.claim_next("dead", ["narration"])
        while job.id != dead.id:  # take the other queued job out of the way
            store.finish(job, "dead", "done")
            job = store.claim_next("dead", ["narration"])
        store.recover(stale_after=30, is_dead=lambda w: w == "dead", requeue=True, max_crashes=3)
    final = store.get("ann", dead.id)
    assert final.status == "failed" and "stopped 3 times" in final.error


def test_requeue_interrupted_and_delete_rules(store):
    job = store.create("ann", "narration", {})
    claimed = store.claim_next("w1", ["narration"])
    with pytest.raises(JobStateError):
        store.delete("ann", job.id)
    store.finish(claimed, "w1", "interrupted")
    assert store.requeue_interrupted() == [job.id]
    assert store.get("ann", job.id).status == "queued"
    store.delete("ann", job.id)
    with pytest.raises(JobNotFound):
        store.get("ann", job.id)
