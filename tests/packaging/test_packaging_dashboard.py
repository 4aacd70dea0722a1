"""Safe defaults of the dashboard: the project's Streamlit settings pin the loopback address, cap
uploads at what a scenario needs and turn usage statistics off; a started server (`omcsim
dashboard`, or `streamlit run dashboard/app.py` from the repository root as the app's docstring
says) listens on 127.0.0.1 only; the favicon is drawn locally, never fetched."""

from __future__ import annotations

import ast
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from packaging_helpers import clean_env

from simulator.cli.dashboard import APP, CONFIG, ROOT, streamlit_command

SCENARIO_LIMIT_MB = 2  # the scenario loader refuses files above about 2 MB


def test_project_config_pins_loopback_small_uploads_and_no_usage_statistics():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    assert CONFIG == ROOT / ".streamlit" / "config.toml"
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert 1 <= config["server"]["maxUploadSize"] <= SCENARIO_LIMIT_MB
    assert config["browser"]["gatherUsageStats"] is False


def test_page_icon_is_drawn_locally():
    """Streamlit draws an emoji favicon inline (an SVG data URL); a ":material/..." icon is an
    image URL on fonts.gstatic.com, fetched by every browser that opens the page."""
    from streamlit.string_util import is_emoji

    calls = [node for node in ast.walk(ast.parse(APP.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "set_page_config"]
    assert len(calls) == 1
    icon = next(ast.literal_eval(k.value) for k in calls[0].keywords if k.arg == "page_icon")
    assert is_emoji(icon) or (APP.parent / icon).is_file(), icon


def test_omcsim_dashboard_binds_loopback_unless_asked():
    from simulator.cli import build_parser

    args = build_parser().parse_args(["dashboard"])
    assert args.address == "127.0.0.1"
    command = streamlit_command(args.port, args.address)
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    wide = streamlit_command(8765, "0.0.0.0")
    assert wide[wide.index("--server.address") + 1] == "0.0.0.0"


# ------------------------------------------------------------------ a real server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Addresses with a TCP socket listening on `port`, from the kernel's tables (Linux)."""
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        if not os.path.exists(table):
            continue
        with open(table, encoding="ascii") as f:
            next(f)
            for line in f:
                local, state = line.split()[1], line.split()[3]
                addr_hex, port_hex = local.split(":")
                if state != "0A" or int(port_hex, 16) != port:  # 0A: LISTEN
                    continue
                raw = bytes.fromhex(addr_hex)
                # The kernel prints each 32-bit word in host (little-endian) order.
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, width // 2, 4))
                addr = ipaddress.ip_address(raw)
                found.append(getattr(addr, "ipv4_mapped", None) or addr)
    return found


def outward_address() -> str | None:
    """This machine's address on its default route (no packet is sent), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if ipaddress.ip_address(address).is_loopback else address


def start_server(command: list[str], port: int, log_path: Path):
    log = log_path.open("w")
    proc = subprocess.Popen(command, cwd=ROOT, env=clean_env(), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 90
    while True:
        assert proc.poll() is None, f"the server exited: {log_path.read_text()}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return proc, log
        except OSError:
            pass
        assert time.monotonic() < deadline, f"no answer within 90 s: {log_path.read_text()}"
        time.sleep(0.5)


def stop_server(proc, log) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    log.close()


def omcsim_dashboard(port: int) -> list[str]:
    return [str(Path(sys.executable).with_name("omcsim")), "dashboard", "--port", str(port)]


def streamlit_run(port: int) -> list[str]:
    # As a user types it from the repository root; headless only so that no browser opens.
    return [sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
            "--server.port", str(port), "--server.headless", "true"]


@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="reads Linux's /proc/net/tcp")
@pytest.mark.parametrize("launch", [omcsim_dashboard, streamlit_run],
                         ids=["omcsim-dashboard", "streamlit-run"])
def test_server_listens_on_loopback_only(launch, tmp_path):
    pytest.importorskip("streamlit")
    port = free_port()
    proc, log = start_server(launch(port), port, tmp_path / "server.log")
    try:
        addresses = listening_addresses(port)
        assert addresses, f"nothing listens on port {port}"
        assert all(a.is_loopback for a in addresses), addresses
        outward = outward_address()
        if outward is not None:
            with pytest.raises(ConnectionRefusedError), socket.create_connection((outward, port), timeout=5):
                pass
    finally:
        stop_server(proc, log)
