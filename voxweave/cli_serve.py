"""The `voxweave serve` subcommand: prepare the data folder and accounts, then run the web app.

On the first start it creates the admin account and prints its password once, with the addresses
the app answers on. Streamlit runs as a child process from the repository root (so that
.streamlit/config.toml applies); SIGINT and SIGTERM are passed on to it and its exit code returned.
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import voxweave
from voxweave.cli import EXIT_FAILURE

DEFAULT_PORT = 8501
DEFAULT_ADDRESS = "0.0.0.0"
#: The app's entry file, at the root of the source checkout beside the voxweave package.
APP_FILE = "streamlit_app.py"
_FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_ANY_ADDRESS = ("0.0.0.0", "::", "")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add `serve` to the `voxweave` command line."""
    serve = subparsers.add_parser("serve", help="run the web app (the first start prints the admin's password)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"the port to listen on (default: {DEFAULT_PORT})")
    serve.add_argument("--address", default=DEFAULT_ADDRESS,
                       help=f"the address to listen on (default: {DEFAULT_ADDRESS}, every network interface)")


def app_file() -> Path:
    return Path(voxweave.__file__).resolve().parents[1] / APP_FILE


def lan_address() -> str | None:
    """This machine's address on the local network, found without sending anything; None if unknown."""
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        address = None
    if address and not address.startswith("127."):
        return address
    # Connecting a UDP socket sends no packet: it only asks the routing table for the outgoing address.
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.254.254.254", 1))
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith(("127.", "0.")) else address


def urls(address: str, port: int) -> list[str]:
    """Where a browser finds the app when it listens on `address`."""
    if address not in _ANY_ADDRESS:
        return [f"http://{address}:{port}"]
    lan = lan_address()
    return [f"http://localhost:{port}"] + ([f"http://{lan}:{port}"] if lan else [])


def first_start_banner(addresses: Sequence[str], password: str) -> str:
    rule = "=" * 72
    lines = [rule, "  VoxWeave: first start. An admin account was created.", ""]
    lines += [f"  {'Open:' if i == 0 else '':10s} {url}" for i, url in enumerate(addresses)]
    lines += [f"  {'Username:':10s} admin", f"  {'Password:':10s} {password}", "",
              "  The password is shown once; change it in Settings or with `voxweave users reset admin`.", rule]
    return "\n".join(lines)


def streamlit_command(app: Path, port: int, address: str) -> list[str]:
    # webui.serve is `streamlit run` with the studio (and its job runner) built before the first visit.
    return [sys.executable, "-m", "webui.serve", str(app), "--server.port", str(port),
            "--server.address", address, "--server.headless", "true"]


def run_forwarding_signals(command: Sequence[str], cwd: Path) -> int:
    """Run `command` until it exits, passing SIGINT and SIGTERM on to it; return its exit code."""
    child: subprocess.Popen | None = None
    pending: list[int] = []  # signals that came before the child existed

    def forward(signum: int, frame: object) -> None:  # noqa: ARG001
        if child is None:
            pending.append(signum)
        elif child.poll() is None:
            child.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in _FORWARDED_SIGNALS}
    try:
        child = subprocess.Popen(list(command), cwd=cwd)
        for signum in pending:
            child.send_signal(signum)
        code = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - code if code < 0 else code  # killed by a signal: the shell's 128 + its number


def cmd_serve(args: argparse.Namespace) -> int:
    from voxweave.accounts import AccountStore, cookie_key
    from voxweave.config import Settings

    if not 0 < args.port < 65536:
        raise ValueError(f"a port is between 1 and 65535, not {args.port}")
    app = app_file()
    if not app.is_file():
        print(f"voxweave: the web app's entry file {app} is missing: `serve` runs from a source checkout "
              "installed with `pip install -e .`", file=sys.stderr)
        return EXIT_FAILURE
    settings = Settings()
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    password = AccountStore.from_settings(settings).ensure_admin()
    cookie_key(settings.data_dir)
    addresses = urls(args.address, args.port)
    if password:
        print(first_start_banner(addresses, password))
    print(f"voxweave serve: the app is at {' or '.join(addresses)}; stop with Ctrl-C", flush=True)
    return run_forwarding_signals(streamlit_command(app, args.port, args.address), cwd=app.parent)


SERVE_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": cmd_serve,
}
