"""The web server, with the studio built before the first browser connects.

`voxweave serve` runs `python -m webui.serve streamlit_app.py --server.port ...`. Building the studio
in the server's process, in the same st.cache_resource the pages use, starts the job runner at
once: after a restart, queued and interrupted jobs go on before anyone opens the app.
"""

from __future__ import annotations

import logging
import sys
import threading
import time

from streamlit.runtime import Runtime
from streamlit.web import cli as streamlit_cli

from webui.services import studio

STARTUP_POLL_S = 0.1


def _build_once_the_server_runs() -> None:
    # After Streamlit has read its config and secrets, so the studio sees them as a page would.
    while not Runtime.exists():
        time.sleep(STARTUP_POLL_S)
    # Building outside a session is intended here: Streamlit's "missing ScriptRunContext" warning is noise.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    studio()


def main(argv: list[str]) -> int:
    threading.Thread(target=_build_once_the_server_runs, name="voxweave-studio-start", daemon=True).start()
    sys.argv = ["streamlit", "run", *argv]
    return streamlit_cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
