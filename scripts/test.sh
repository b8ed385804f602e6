#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine with Python 3.11, then
# runs the linter and the whole suite (unit, AppTest and real-browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# Debian packages the tests use: Chromium for the browser tests (driven through Playwright;
# Playwright's own browser download does not work without general internet access),
# redis-server for the two-replica login test, docker-compose (1.29) to validate compose.yaml.
APT_PACKAGES=()
command -v chromium >/dev/null 2>&1 || APT_PACKAGES+=(chromium chromium-driver)
command -v redis-server >/dev/null 2>&1 || APT_PACKAGES+=(redis-server)
command -v docker-compose >/dev/null 2>&1 || APT_PACKAGES+=(docker-compose)
if [ "${#APT_PACKAGES[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${APT_PACKAGES[@]}" >/dev/null
fi

python3 -m ruff check .
python3 -m ruff format --check .
python3 -m mypy
# Import contracts (layers, no streamlit in the core, no cycles): [tool.importlinter].
lint-imports
python3 -m pytest "$@"
