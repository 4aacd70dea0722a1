"""``omcsim dashboard``: start the Streamlit dashboard on this machine only (127.0.0.1)."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
DEFAULT_PORT = 8501  # Streamlit's own default


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, got {text!r}")
    return value


def register(sub) -> None:
    p = sub.add_parser("dashboard", help="start the dashboard (Streamlit) on 127.0.0.1",
                       description="Start the Streamlit dashboard, bound to 127.0.0.1, headless, "
                       "usage statistics off. Stop it with Ctrl-C.")
    p.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                   help=f"port to listen on (default {DEFAULT_PORT})")
    p.set_defaults(handler=handle)


def streamlit_command(port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.address", "127.0.0.1", "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            # No "Deploy" button or developer menu for the people using the dashboard.
            "--client.toolbarMode", "minimal"]


def handle(args: argparse.Namespace) -> int:
    from . import UsageError

    if importlib.util.find_spec("streamlit") is None:
        raise UsageError("streamlit is not installed; install the dashboard extra: "
                         "pip install 'omcsim[dashboard]'")
    if not APP.is_file():
        raise UsageError(f"the dashboard is not installed with this copy of omcsim ({APP} is "
                         "missing); run it from a source checkout")
    print(f"omcsim dashboard: http://127.0.0.1:{args.port}", flush=True)
    command = streamlit_command(args.port)
    # Replace this process: Ctrl-C and a kill of this pid go straight to the server.
    os.execv(command[0], command)
    return 0  # not reached: execv does not return
