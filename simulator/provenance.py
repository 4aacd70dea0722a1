"""Provenance: what a result folder records about the code and the command that made it.

One home for the model code digest (which the experiment journal also keys runs by) and for the
provenance dict that ``run.json``, ``sweep.json`` and ``compare.json`` share, so a folder alone
says how to reproduce it and with which code and packages.
"""

from __future__ import annotations

import functools
import hashlib
import platform
import shlex
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from ._version import __version__

PACKAGES = ("simpy", "numpy", "pandas", "scipy", "pydantic", "pyarrow")
"""The libraries whose versions can change a result or how it is stored."""

_ROOT = Path(__file__).resolve().parent


@functools.cache
def code_digest() -> str:
    """A digest of the code that computes a run (the model, the KPIs and the measures, not the
    CLI, figures, analysis or this module): a run recorded by other model code is not reused,
    even under the same version number."""
    h = hashlib.sha256()
    for path in sorted(_ROOT.rglob("*.py")):
        rel = path.relative_to(_ROOT)
        if rel.parts[0] in ("cli", "plots", "charts", "report.py", "provenance.py") or (
                rel.parts[0] == "experiment" and rel.name not in ("plan.py", "warmup.py")):
            continue
        h.update(str(rel).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def package_versions() -> dict[str, str | None]:
    """Versions of Python, omcsim and the libraries in :data:`PACKAGES` (None if missing)."""
    out: dict[str, str | None] = {"python": platform.python_version(), "omcsim": __version__}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def command_line(argv: Sequence[str] | None = None) -> str:
    """The command that started this process, quoted for a shell; the omcsim entry point and
    ``python -m simulator.cli`` both read ``omcsim``."""
    argv = list(sys.argv if argv is None else argv)
    if not argv:
        return ""
    first = Path(argv[0])
    if first.name == "omcsim" or first.parts[-3:] == ("simulator", "cli", "__main__.py"):
        argv[0] = "omcsim"
    return shlex.join(argv)


def provenance(command: Sequence[str] | None = None) -> dict:
    """The provenance every result folder records: the command (this process's, unless given
    as an argument list), the omcsim version, the model code digest and the package versions."""
    return {"command": command_line(command), "code_digest": code_digest(),
            "versions": package_versions()}
