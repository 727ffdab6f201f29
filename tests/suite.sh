#!/usr/bin/env bash
# The whole check, as `make test` runs it: lint, the browser tests and the rest at once; the
# browser tests that time a page run last, once the others are done.
#
# Why at once: the browser tests spend most of their time waiting on Chromium (about 0.7 of a core
# over two and a half minutes), ruff and mypy take a quarter of a minute, and the other tests keep
# every core busy on pytest-xdist workers. Run one after the other they add up; side by side the
# waiting costs nothing. The few browser tests marked `quiet` measure a throttled phone's page load
# and would measure the other tests instead: the browser run keeps them for its end, and they wait
# there for the file $TAPTRAIL_TEST_QUIET_AFTER, made once everything else has finished (a run of
# their own after the rest started Python, the server and Chromium again: some 4 s).
set -uo pipefail
BIN="${1:?usage: tests/suite.sh VENV_BIN}"
# Keep compiled bytecode: with PYTHONDONTWRITEBYTECODE set (some machines set it), every Python
# process the tests start (gunicorn's workers, drainers, the command lines, schemathesis) and
# every xdist worker compiled TapTrail, and pytest rewrote the test modules, from source again:
# about 40 of some 700 CPU-seconds a run. __pycache__ is gitignored.
unset PYTHONDONTWRITEBYTECODE
LOGS="$(mktemp -d)"
trap 'rm -rf "$LOGS"' EXIT
# One folder for what the three pytest runs below make once and copy (tests/support/once.py):
# the demo with its traffic, its keyring, the migrated template.
export TAPTRAIL_TEST_RUN_FOLDER="$LOGS/made-once"
mkdir "$TAPTRAIL_TEST_RUN_FOLDER"

export TAPTRAIL_TEST_QUIET_AFTER="$LOGS/the-rest-is-done"
"$BIN/python" -m pytest tests/browser >"$LOGS/browser" 2>&1 &
browser=$!
{ "$BIN/ruff" check . && "$BIN/ruff" format --check . && "$BIN/mypy"; } >"$LOGS/lint" 2>&1 &
lint=$!

# Two workers a core: many tests wait on a process they started (gunicorn, a drainer, a reader
# over UDP), and a second worker on the core computes meanwhile. Heavy modules first, in the
# order tests/conftest.py gives them (HEAVY_FIRST), not xdist's by number of tests.
# TEST_WORKERS sets another number.
"$BIN/python" -m pytest --numprocesses "${TEST_WORKERS:-$(( 2 * $(nproc) ))}" --dist loadscope \
    --no-loadscope-reorder --ignore tests/browser
rest=$?
wait "$lint"
lint_status=$?
touch "$TAPTRAIL_TEST_QUIET_AFTER"  # the machine is the timed browser tests' now
wait "$browser"
browser_status=$?

echo "=== ruff and mypy ==="
cat "$LOGS/lint"
echo "=== browser tests (the timed ones last, alone) ==="
cat "$LOGS/browser"

failed=""
[ "$lint_status" -eq 0 ] || failed="$failed lint"
[ "$browser_status" -eq 0 ] || failed="$failed browser"
[ "$rest" -eq 0 ] || failed="$failed tests"
if [ -n "$failed" ]; then
    echo "make test failed:$failed (see each part's output above)" >&2
    exit 1
fi
