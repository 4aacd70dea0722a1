"""`omcsim dashboard`: its arguments and the Streamlit command it runs (the browser test starts
it for real)."""

import pytest

from simulator.cli import COMMANDS, main
from simulator.cli.dashboard import APP, streamlit_command


def test_dashboard_is_a_command():
    assert "dashboard" in COMMANDS
    assert APP.is_file()


@pytest.mark.parametrize("port", ["0", "65536", "http", "-1"])
def test_bad_port_is_a_usage_error(port, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["dashboard", "--port", port])
    assert exit_info.value.code == 2
    assert "expected a port number from 1 to 65535" in capsys.readouterr().err


def test_streamlit_runs_on_loopback_headless():
    """The other settings (upload cap, usage statistics) come from the project's
    .streamlit/config.toml (tests/packaging/test_packaging_dashboard.py)."""
    command = streamlit_command(8765)
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert command[1:5] == ["-m", "streamlit", "run", str(APP)]
    assert options["--server.address"] == "127.0.0.1"
    assert options["--server.port"] == "8765"
    assert options["--server.headless"] == "true"
