#!/usr/bin/env bash
# Installs Debian's postfix for its C `smtp-sink` (the email benchmark's server); does nothing when present.
# Only the binary is used: the mail system itself is not configured or started.
set -euo pipefail
if command -v smtp-sink >/dev/null || [ -x /usr/sbin/smtp-sink ]; then
  exit 0
fi
echo "installing postfix (for smtp-sink) from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends postfix >/dev/null
