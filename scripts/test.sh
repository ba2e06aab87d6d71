#!/usr/bin/env bash
# Sets up everything the tests need and runs them:
#  - .venv with ruralcore and its test extras;
#  - lint-imports: the layer contracts of .importlinter (no import cycles, pages never import the store);
#  - Debian's chromium and a CJK font for the browser tests (installed when running as root);
#  - a throw-away PostgreSQL 15 server on a local port, so storage tests run on SQLite and PostgreSQL.
# Extra arguments go to pytest, e.g. scripts/test.sh -k scoring
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test,bench

# The layer contracts of .importlinter (docs/ARCHITECTURE.md): a broken contract or an
# import cycle fails the run before any test.
echo "==> 检查模块分层（lint-imports）"
if ! lint_out="$(.venv/bin/lint-imports --no-cache 2>&1)"; then
  echo "$lint_out"; echo "模块分层检查未通过（见上，.importlinter）" >&2; exit 1
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

# Browser for the Playwright tests.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
  echo "==> 安装 chromium 与中文字体（浏览器测试需要）"
  if as_root true 2>/dev/null; then
    as_root apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "   无 root 权限，跳过；浏览器测试将被跳过"
  fi
fi

# A throw-away PostgreSQL server on a local port.
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "${TEST_POSTGRES_URL:-}" ] && [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ]; then
  # a free local port, so that several test runs can have their own server
  PGPORT="${TEST_PGPORT:-$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
  PGDIR="$(mktemp -d /tmp/ruralcore-pg.XXXXXX)"
  run_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
  [ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
  echo "==> 启动临时 PostgreSQL（端口 $PGPORT）"
  run_pg "'$PGBIN/initdb' -D '$PGDIR/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null"
  run_pg "'$PGBIN/pg_ctl' -D '$PGDIR/data' -o \"-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off\" -l '$PGDIR/log' -w start >/dev/null"
  trap "run_pg \"'$PGBIN/pg_ctl' -D '$PGDIR/data' -m immediate stop\" >/dev/null 2>&1 || true; rm -rf '$PGDIR'" EXIT
  export TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
fi
if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  echo "   未找到 PostgreSQL，PostgreSQL 存储测试将被跳过"
fi

set +e
# Two workers (pytest-xdist), whole files to one worker: each worker starts its own app server and
# browser, databases are per test (uuid names), so files don't share state. TEST_WORKERS=0 runs serially.
.venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" --dist loadfile "$@"
rc=$?
set -e
exit $rc
