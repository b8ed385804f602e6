#!/usr/bin/env bash
# The container image, built and run as a deployment runs it. .ci/run calls this after the
# main suite with RECOMMENDER_REQUIRE_IMAGE_CHECK=1. Budget: at most 10 minutes on a cold
# machine for the base, the wheelhouse, the build and the checks together (docs/deploy.md).
#
#   bash scripts/image_check.sh          # needs root (apt, dockerd) and the reference data
#
# Without a Docker daemon that can be started, it says so in one line and exits 0 without
# claiming a pass, unless RECOMMENDER_REQUIRE_IMAGE_CHECK=1 (then it fails).
set -euo pipefail
cd "$(dirname "$0")/.."

REQUIRE="${RECOMMENDER_REQUIRE_IMAGE_CHECK:-0}"
BASE_TAG="${RECOMMENDER_BASE_IMAGE:-spotify-recommender-base:bookworm}"
IMAGE="${RECOMMENDER_IMAGE:-spotify-recommender:check}"
WHEELHOUSE=".wheelhouse"
REPORT="$(mktemp)"
started=$(date +%s)

cannot_run() {
  if [ "$REQUIRE" = "1" ]; then
    echo "image check: FAILED: $1" >&2
    exit 1
  fi
  echo "image check: not run: $1 (set RECOMMENDER_REQUIRE_IMAGE_CHECK=1 to make this fail)"
  exit 0
}

phase() { echo "image check: $1 ($(($(date +%s) - started)) s so far)"; }

# What the check needs from Debian, installed like scripts/test.sh installs chromium.
APT_PACKAGES=()
command -v docker >/dev/null 2>&1 || APT_PACKAGES+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || APT_PACKAGES+=(debootstrap)
if [ "${#APT_PACKAGES[@]}" -gt 0 ]; then
  if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null 2>&1; then
    cannot_run "${APT_PACKAGES[*]} missing and no root to install them"
  fi
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${APT_PACKAGES[@]}" \
    >/dev/null || cannot_run "could not install ${APT_PACKAGES[*]}"
fi

# The daemon: host networking only (no bridge, no iptables on these machines).
if ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" != "0" ]; then cannot_run "no Docker daemon, and starting one needs root"; fi
  nohup dockerd --bridge=none --iptables=false >/tmp/recommender-dockerd.log 2>&1 &
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || cannot_run "dockerd did not start (see /tmp/recommender-dockerd.log)"
fi
phase "daemon up"

bash scripts/base_image.sh "$BASE_TAG"
phase "base image ready"

# Wheels made inside the base, so environment markers match its Python (Debian's 3.11.2
# needs async-timeout for redis; a wheelhouse made by a newer 3.11 lacks it). pip there uses
# the host's package index settings and CA bundle.
mkdir -p "$WHEELHOUSE"
PIP_ENV=()
for name in PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_DEFAULT_TIMEOUT; do
  if [ -n "${!name:-}" ]; then PIP_ENV+=(-e "$name=${!name}"); fi
done
docker run --rm --network host "${PIP_ENV[@]}" \
  -v "$PWD/requirements.txt:/src/requirements.txt:ro" -v "$PWD/$WHEELHOUSE:/wheels" \
  -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
  -e PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
  "$BASE_TAG" pip download --quiet --disable-pip-version-check -r /src/requirements.txt -d /wheels
phase "wheelhouse ready ($(ls "$WHEELHOUSE" | wc -l) files)"

docker build --network host --quiet --build-arg "BASE=$BASE_TAG" \
  --build-arg "WHEELHOUSE=$WHEELHOUSE" -t "$IMAGE" . >/dev/null
size_mb=$(( $(docker image inspect --format '{{.Size}}' "$IMAGE") / 1000000 ))
phase "image $IMAGE built, ${size_mb} MB"

RECOMMENDER_IMAGE="$IMAGE" RECOMMENDER_IMAGE_REPORT="$REPORT" \
  python3 -m pytest -m image tests/browser/test_image.py -p no:cacheprovider -q
phase "checks passed"
echo "image check: image ${size_mb} MB; $(tr '\n' ' ' <"$REPORT")"
rm -f "$REPORT"
