#!/usr/bin/env bash
# Builds a local stand-in for python:3.11-slim from Debian packages, for machines that cannot
# pull from Docker Hub: a minbase bookworm from this machine's configured apt mirror, with
# python3 and a venv in /opt/venv first on PATH, so `python` and `pip` come from one
# environment (as in the official image). Reused when the tag exists.
#
#   bash scripts/base_image.sh [TAG]     # default spotify-recommender-base:bookworm
#
# Needs root, a running Docker daemon and debootstrap (scripts/image_check.sh installs it).
set -euo pipefail

TAG="${1:-spotify-recommender-base:bookworm}"
DOCKER="${DOCKER:-docker}"

if "$DOCKER" image inspect "$TAG" >/dev/null 2>&1; then
  echo "base image $TAG exists: reused"
  exit 0
fi

# The first Debian mirror the machine's apt sources name (deb822 or one-line format).
MIRROR="$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' \
  | grep -v -- '-security' | head -n1 || true)"
if [ -z "$MIRROR" ]; then
  MIRROR="$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' \
    | grep -v -- '-security' | head -n1 || true)"
fi
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

ROOTFS="$(mktemp -d)"
trap 'rm -rf "$ROOTFS"' EXIT
echo "base image $TAG: debootstrap bookworm from $MIRROR"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
  bookworm "$ROOTFS" "$MIRROR" >"$ROOTFS.log" 2>&1 || {
  tail -n 20 "$ROOTFS.log"
  echo "base image: debootstrap failed (log above)" >&2
  exit 1
}
rm -f "$ROOTFS.log"

# The venv is what `python` and `pip` resolve to; Debian's python3 stays underneath.
chroot "$ROOTFS" /usr/bin/python3 -m venv /opt/venv
# Nothing in a container needs apt's package lists or the docs: smaller base.
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/usr/share/doc/* \
  "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/locale/*

tar -C "$ROOTFS" --numeric-owner -c . | "$DOCKER" import \
  --change 'ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["python3"]' \
  - "$TAG" >/dev/null
echo "base image $TAG built: $("$DOCKER" run --rm --network host "$TAG" python --version)"
