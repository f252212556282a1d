#!/usr/bin/env bash
# Runs the whole suite: once on SQLite (everything), once more on PostgreSQL (every test that
# touches a database). Browser tests need /usr/bin/chromium. What cannot run here is skipped
# LOUDLY, and becomes a failure when STROMALAB_REQUIRE_ALL=1 (set by .ci/run).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
require_all=${STROMALAB_REQUIRE_ALL:-0}
missing=()

if [ -x /usr/bin/chromium ]; then
  export STROMALAB_CHROMIUM=/usr/bin/chromium
else
  missing+=("Chromium (/usr/bin/chromium): browser tests SKIPPED")
fi

if [ ! -x /usr/bin/pdftotext ]; then
  missing+=("pdftotext (poppler-utils): PDFs not read back, their text tests SKIPPED")
fi

pg_url=${STROMALAB_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
if $BIN/python - "$pg_url" <<'PY' 2>/dev/null; then
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PY
  have_pg=1
else
  have_pg=0
  missing+=("PostgreSQL ($pg_url): PostgreSQL half of the suite SKIPPED")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "################################################################" >&2
  for m in "${missing[@]}"; do echo "### NOT TESTED: $m" >&2; done
  echo "################################################################" >&2
  if [ "$require_all" = 1 ]; then
    echo "STROMALAB_REQUIRE_ALL=1: refusing to pass with parts of the suite skipped" >&2
    exit 1
  fi
fi

echo "== message catalogues (.po -> .mo, generated)"
$BIN/stromalab i18n compile || exit 1

echo "== pytest on SQLite (whole suite)"
$BIN/python -m pytest -q -p no:cacheprovider || exit 1

if [ $have_pg = 1 ]; then
  echo "== pytest on PostgreSQL (database tests)"
  test_db="test_stromalab_run_$$"
  drop_test_db() {
    $BIN/python - "$pg_url" "$test_db" <<'PY'
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
PY
  }
  trap drop_test_db EXIT
  STROMALAB_TEST_POSTGRES_URL=$pg_url STROMALAB_DATABASE_URL=$pg_url STROMALAB_TEST_DATABASE_NAME=$test_db \
    $BIN/python -m pytest -q -p no:cacheprovider -m "(django_db or postgres) and not browser" || exit 1
  # the browser journeys once more, against the production server (stromalab serve: gunicorn,
  # whitenoise, DEBUG off) instead of Django's test server (tests/web/gunicorn_server.py)
  echo "== browser tests on PostgreSQL against gunicorn"
  STROMALAB_BROWSER_SERVER=gunicorn STROMALAB_TEST_POSTGRES_URL=$pg_url STROMALAB_DATABASE_URL=$pg_url \
    STROMALAB_TEST_DATABASE_NAME=$test_db $BIN/python -m pytest -q -p no:cacheprovider -m browser || exit 1
fi
