#!/usr/bin/env bash
# Sets up a project-local .venv with everything omcsim needs.
#   bash scripts/setup.sh          the library, CLI, dashboard and Dask
#   bash scripts/setup.sh --teach  also JupyterLab and what the lessons in notebooks/ need
#   bash scripts/setup.sh --test   all of it, the test tools and Debian's chromium for the browser test
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  "") extras="dashboard,distributed" ;;
  --teach) extras="dashboard,distributed,teach" ;;
  --test) extras="all" ;;
  *) echo "setup: unknown option '$1'; expected nothing, --teach or --test" >&2; exit 2 ;;
esac
# Precompiled bytecode keeps every new process (CLI call, pool worker) from recompiling pandas.
unset PYTHONDONTWRITEBYTECODE
export UV_COMPILE_BYTECODE="${UV_COMPILE_BYTECODE:-1}"
python3 -m pip --version >/dev/null 2>&1 || { echo "setup: python3 with pip is required" >&2; exit 1; }
command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check uv
UV="$(command -v uv || echo "python3 -m uv")"
[ -x .venv/bin/python ] || $UV venv --quiet .venv
$UV pip install --quiet --python .venv/bin/python -e ".[$extras]"
if [ "${1:-}" = "--test" ] && ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 \
    && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium) >/dev/null 2>&1 \
    || echo "setup: could not install chromium; the browser test will be skipped" >&2
fi
