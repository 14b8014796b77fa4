"""`voxweave serve` (what `make run` starts): the first start's banner, then the real web app."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from voxweave import cli_serve
from voxweave.accounts import ACCOUNTS_FILE, AccountStore
from voxweave.cli import EXIT_FAILURE, main

START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def voxweave_command() -> list[str]:
    """The installed console script (pyproject's [project.scripts]), else the module."""
    script = Path(sys.executable).parent / "voxweave"
    return [str(script)] if script.exists() else [sys.executable, "-m", "voxweave.cli"]


class Server:
    """`voxweave serve` as a child process whose output is collected line by line."""

    def __init__(self, port: int, data_dir: Path) -> None:
        self.port = port
        env = {**os.environ, "VOXWEAVE_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [*voxweave_command(), "serve", "--port", str(port), "--address", "127.0.0.1"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, env=env,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        url = f"http://127.0.0.1:{self.port}/_stcore/health"
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve exited with {self.process.returncode}:\n{self.output}"
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.read().decode().strip() == "ok":
                        return
            except OSError:
                pass
            time.sleep(0.3)
        pytest.fail(f"no answer from {url} within {START_TIMEOUT_S} s:\n{self.output}")

    def stop(self) -> int:
        """SIGTERM to `voxweave serve`, which passes it on to Streamlit; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_S)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self._reader.join(timeout=5)


@pytest.fixture
def server_factory(tmp_path):
    servers: list[Server] = []

    def start() -> Server:
        servers.append(Server(free_port(), tmp_path))
        return servers[-1]

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=10)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_first_start_prints_the_admin_password_once_then_serves(server_factory, tmp_path):
    first = server_factory()
    first.wait_healthy()
    match = re.search(r"Password:\s+(\S+)", first.output)
    assert match, first.output
    password = match.group(1)
    assert re.search(r"Username:\s+admin\n", first.output) and f"http://127.0.0.1:{first.port}" in first.output
    assert "shown once" in first.output and "voxweave users reset admin" in first.output
    assert AccountStore(tmp_path / ACCOUNTS_FILE).verify("admin", password)
    assert (tmp_path / "cookie_key").stat().st_size >= 64
    assert first.stop() == 0, first.output
    assert not listening(first.port), "Streamlit outlived `voxweave serve`"

    second = server_factory()
    second.wait_healthy()
    assert "Password" not in second.output and password not in second.output
    assert f"http://127.0.0.1:{second.port}" in second.output
    assert second.stop() == 0, second.output
    assert not listening(second.port)


def test_a_missing_app_file_is_one_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VOXWEAVE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(cli_serve, "app_file", lambda: tmp_path / "streamlit_app.py")
    assert main(["serve", "--port", str(free_port())]) == EXIT_FAILURE
    err = capsys.readouterr().err
    assert "streamlit_app.py" in err and "missing" in err and len(err.strip().splitlines()) == 1


def test_the_app_file_is_found_beside_the_package():
    assert cli_serve.app_file() == Path(__file__).resolve().parents[1] / "streamlit_app.py"
    assert cli_serve.app_file().is_file()


def test_streamlit_runs_headless_on_the_given_port_and_address():
    command = cli_serve.streamlit_command(Path("/repo/streamlit_app.py"), 8600, "0.0.0.0")
    assert command[:4] == [sys.executable, "-m", "webui.serve", "/repo/streamlit_app.py"]
    options = dict(zip(command[4::2], command[5::2]))
    assert options == {"--server.port": "8600", "--server.address": "0.0.0.0", "--server.headless": "true"}


def test_urls_name_localhost_and_the_lan_address(monkeypatch):
    monkeypatch.setattr(cli_serve, "lan_address", lambda: "192.168.1.20")
    assert cli_serve.urls("0.0.0.0", 8501) == ["http://localhost:8501", "http://192.168.1.20:8501"]
    monkeypatch.setattr(cli_serve, "lan_address", lambda: None)
    assert cli_serve.urls("0.0.0.0", 8501) == ["http://localhost:8501"]
    assert cli_serve.urls("127.0.0.1", 9000) == ["http://127.0.0.1:9000"]


def test_the_lan_address_lookup_never_raises(monkeypatch):
    def no_network(*args):
        raise OSError("no network")

    monkeypatch.setattr(socket, "gethostbyname", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert cli_serve.lan_address() is None


def test_signals_reach_the_child_and_its_exit_code_comes_back(tmp_path):
    ready = tmp_path / "ready"
    child = (f"import pathlib, signal, sys, time\n"
             f"signal.signal(signal.SIGTERM, lambda *a: sys.exit(7))\n"
             f"pathlib.Path({str(ready)!r}).touch()\n"
             f"time.sleep(30)\n")

    def terminate_us_once_the_child_is_ready() -> None:
        deadline = time.monotonic() + 20
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)  # handled by the main thread, which forwards it

    previous = signal.getsignal(signal.SIGTERM)
    threading.Thread(target=terminate_us_once_the_child_is_ready, daemon=True).start()
    assert cli_serve.run_forwarding_signals([sys.executable, "-c", child], cwd=tmp_path) == 7
    assert signal.getsignal(signal.SIGTERM) is previous


def test_port_out_of_range_is_a_usage_error(capsys):
    assert main(["serve", "--port", "70000"]) == 2
    assert "between 1 and 65535" in capsys.readouterr().err


def test_make_run_starts_voxweave_serve():
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    run_recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "$(BIN)/voxweave serve" in run_recipe


def test_a_job_left_queued_runs_as_soon_as_the_server_is_up_without_any_visit(server_factory, tmp_path, monkeypatch):
    from voxweave.config import Settings
    from voxweave.jobs import JobQueue, NarrationRequest

    monkeypatch.setenv("VOXWEAVE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VOXWEAVE_ENGINE_PLUGINS", "tone=tests.conftest:ToneEngine")
    monkeypatch.setenv("VOXWEAVE_DEFAULT_VOICE", "tone:a4")
    queue = JobQueue(Settings())  # no runner: the job waits, as after a restart
    job_id = queue.submit_narration("ana", "notes.md", b"# Notes\n\nA few words to speak.", NarrationRequest(audio_format="wav"))
    server = server_factory()
    server.wait_healthy()
    deadline = time.monotonic() + START_TIMEOUT_S
    while queue.job("ana", job_id).status != "done" and time.monotonic() < deadline:
        time.sleep(0.2)
    job = queue.job("ana", job_id)
    queue.close()
    assert job.status == "done", (job.status, job.error, server.output)
    assert server.stop() == 0, server.output
