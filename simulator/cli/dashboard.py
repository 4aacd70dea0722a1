"""``omcsim dashboard``: start the Streamlit dashboard on this machine only (127.0.0.1)."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from .common import UsageError

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
# The dashboard's settings (address, upload cap, usage statistics): Streamlit reads this file from
# its working directory, so the server is started from ROOT.
CONFIG = ROOT / ".streamlit" / "config.toml"
DEFAULT_ADDRESS = "127.0.0.1"
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
                       description="Start the Streamlit dashboard, bound to 127.0.0.1 (this machine "
                       "only), headless, usage statistics off. Stop it with Ctrl-C.")
    p.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                   help=f"port to listen on (default {DEFAULT_PORT})")
    p.add_argument("--address", default=DEFAULT_ADDRESS,
                   help=f"address to listen on (default {DEFAULT_ADDRESS}, this machine only; "
                   "0.0.0.0 serves every network the machine is on: anyone there can run simulations)")
    p.set_defaults(handler=handle)


def streamlit_command(port: int, address: str = DEFAULT_ADDRESS) -> list[str]:
    """The server command; the rest of the settings come from CONFIG."""
    return [sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.address", address, "--server.port", str(port), "--server.headless", "true"]


def handle(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("streamlit") is None:
        raise UsageError("streamlit is not installed; install the dashboard extra: "
                         "pip install 'omcsim[dashboard]'")
    if not (APP.is_file() and CONFIG.is_file()):
        raise UsageError(f"the dashboard is not installed with this copy of omcsim ({APP} or {CONFIG} "
                         "is missing); run it from a source checkout")
    if not args.address.strip():
        raise UsageError("--address: expected an address to listen on, e.g. 127.0.0.1")
    host = f"[{args.address}]" if ":" in args.address else args.address
    print(f"omcsim dashboard: http://{host}:{args.port}", flush=True)
    command = streamlit_command(args.port, args.address)
    os.chdir(ROOT)
    # Replace this process: Ctrl-C and a kill of this pid go straight to the server.
    os.execv(command[0], command)
    return 0  # not reached: execv does not return
