#!/usr/bin/env bash
# Make sure Debian's Chromium is there for the browser test of the website.
# Playwright drives this system browser (never `playwright install`, which
# downloads a browser build and cannot work offline).
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser test (apt-get)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
cat >&2 <<MSG
The browser test needs Chromium at $CHROMIUM and this user cannot install it.
Install it as root:   sudo apt-get update && sudo apt-get install -y chromium
or point CHROMIUM at an existing Chromium/Chrome binary:   make test CHROMIUM=/path/to/chrome
MSG
exit 1
