#!/usr/bin/env bash
# Set up the project on a fresh machine: find Python >= 3.12, make .venv, install the project and its
# test tools. Safe to run again: it reinstalls only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  local candidates=(python3.13 python3.12 python3)
  if command -v pyenv >/dev/null 2>&1; then
    candidates+=("$(pyenv root)"/versions/3.1[2-9]*/bin/python3)
  fi
  candidates+=("$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9])
  for py in "${candidates[@]}"; do
    if [ -x "$(command -v "$py" 2>/dev/null)" ] && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$py"
      return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
  PY=$(find_python) || {
    echo "setup: this project needs Python 3.12 or newer (Mesa 3.5 requires it)." >&2
    echo "setup: none found as python3.12, python3.13, python3 or under pyenv; install one and run again." >&2
    exit 1
  }
  echo "setup: creating .venv with $PY ($("$PY" --version))"
  rm -rf .venv
  "$PY" -m venv .venv
fi

stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[test,app,discover,fast]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
