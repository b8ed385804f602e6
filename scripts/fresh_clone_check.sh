#!/usr/bin/env bash
# Proves the fresh-machine path by hand (not run in CI): a fresh clone of this repository's
# HEAD with no ../shared next to it runs the reference-data tier's non-browser tests, getting
# its data only through RECOMMENDER_MIRROR_URL from a loopback mirror that holds the dataset
# files under their public names (dataset.csv, spotify_songs.csv, dataset-of-{60s..10s}.csv).
#
#   bash scripts/fresh_clone_check.sh DATA_FILE_OR_FOLDER...   # e.g. ../shared/data, or your
#                                                              # downloads (zips are fine)
#   FRESH_VENV=1 bash scripts/fresh_clone_check.sh ...         # also a fresh virtualenv
#
# The mirror folder is laid out from the given files by `python -m tests.mirror_server`
# (tables recognised by header, zips unpacked). Exit code: pytest's.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
if [ "$#" -eq 0 ]; then
  echo "usage: bash scripts/fresh_clone_check.sh DATA_FILE_OR_FOLDER..." >&2
  exit 2
fi
sources=()
for source in "$@"; do sources+=("$(cd "$(dirname "$source")" && pwd)/$(basename "$source")"); done

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

git clone --quiet "$repo" "$work/clone"
if [ -e "$work/shared" ]; then echo "unexpected $work/shared" >&2; exit 2; fi
python3 -m tests.mirror_server "${sources[@]}" --to "$work/mirror" >/dev/null
echo "mirror holds: $(cd "$work/mirror" && ls | tr '\n' ' ')"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/mirror" \
  >"$work/mirror.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do
  if python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/', timeout=1)" \
    2>/dev/null; then break; fi
  sleep 0.2
done

python="python3"
if [ "${FRESH_VENV:-0}" = "1" ]; then
  python3 -m venv "$work/venv"
  python="$work/venv/bin/python"
  "$python" -m pip install --quiet --disable-pip-version-check -r "$work/clone/requirements-dev.txt"
fi

cd "$work/clone"
status=0
# Only the mirror: no RECOMMENDER_CATALOG or RECOMMENDER_DATA_DIR, an empty cache, and missing
# data fails the run instead of skipping the tier.
env -u RECOMMENDER_CATALOG -u RECOMMENDER_DATA_DIR -u RECOMMENDER_SOURCES \
  RECOMMENDER_MIRROR_URL="http://127.0.0.1:$port" \
  RECOMMENDER_CACHE_DIR="$work/cache" \
  RECOMMENDER_REQUIRE_REFERENCE_DATA=1 \
  "$python" -m pytest -q -p no:cacheprovider --ignore=tests/browser -m "reference and not integration" \
  || status=$?
echo "mirror requests: $(grep -c '"GET /' "$work/mirror.log" || true)"
echo "fresh-clone reference tier (non-browser): exit $status"
exit "$status"
