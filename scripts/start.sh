#!/usr/bin/env bash
# Sets up, builds the county demo database on first start, and opens the dashboards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DATABASE_URL:-}" ] && [ ! -f data/ruralcore.db ]; then
  echo "==> 首次启动：生成县级演示数据库 data/ruralcore.db（演示数据，均为虚构）"
  .venv/bin/ruralcore demo --scale county
  # after the demo (which clears every table): one demo account per role around the demo county
  # (花垣县; the README says which shows which part), each password shown once; signed out,
  # only 登录 and 政策文件 open
  echo "==> 演示账户（密码只在此显示一次，请记下；登录后可在“登录”页面修改密码）"
  .venv/bin/ruralcore init-admin --demo-accounts
fi
echo "==> 启动看板：http://localhost:${PORT:-8501}"
exec .venv/bin/streamlit run dashboards/app.py --server.port "${PORT:-8501}" --server.headless true --browser.gatherUsageStats false
