#!/usr/bin/env bash
# Creates .venv and installs ruralcore with what it needs. Safe to run again.
# Usage: scripts/setup.sh [extras]   e.g. scripts/setup.sh test,bench
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> 创建虚拟环境 .venv"
  "$PY" -m venv .venv
fi
stamp=".venv/.installed-${extras:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> 安装依赖${extras:+（$extras）}"
  log="$(mktemp)"
  target="."
  [ -n "$extras" ] && target=".[$extras]"
  if ! { .venv/bin/python -m pip install -q --upgrade pip && .venv/bin/python -m pip install -q -e "$target"; } >"$log" 2>&1; then
    cat "$log"; echo "依赖安装失败（见上）" >&2; exit 1
  fi
  rm -f "$log"
  touch "$stamp"
fi
