#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (Playwright drives it); does nothing when present.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "installing Chromium from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
