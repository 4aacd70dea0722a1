"""What the CLI tests check of a refused command."""

from simulator.cli import main


def refusal(argv, capsys) -> str:
    """Run ``omcsim argv``: it must be refused with exit code 2 and one error line, no
    traceback; returns what it printed on stderr."""
    try:
        code = main(argv)
    except SystemExit as exit_info:
        code = exit_info.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert err.count("error:") == 1
    return err
