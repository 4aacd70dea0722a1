"""The ``omcsim`` command. Each subcommand lives in its own module with ``register(subparsers)``.

Bad input (scenario, override or argument) ends with one readable message on stderr and exit
code 2, never a traceback. Figures are imported only by the handlers that draw one: matplotlib
takes about half a second to import, which `omcsim run` without a figure should not pay.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .._version import __version__
from ..scenario import ScenarioError
from .common import UsageError

# Subcommand modules, in the order `omcsim --help` lists them.
COMMANDS = ("run", "trace", "report", "scenarios", "dashboard", "experiment", "optimize",
            "validate_model")


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line: what is wrong and where the help is (exit code 2)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="omcsim",
        description="Discrete-event simulation of the order management cycle.",
    )
    parser.add_argument("--version", action="version", version=f"omcsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args) or 0
    except (ScenarioError, UsageError) as err:
        print(f"omcsim {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("omcsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0

