#!/usr/bin/env bash
# Installs the system packages Loket needs where they are missing: Pango (WeasyPrint renders the
# PDF with it), Debian's Chromium (the browser tests drive it; Playwright cannot download one),
# dovecot (the mailbox tests' IMAP server), npm (axe-core, the browser tests' accessibility check)
# and nginx (the production shape's reverse proxy: tests/operations/test_nginx_proxy.py and
# bench/production_shape.py start it from a configuration of their own, not as a service).
set -euo pipefail
missing=()
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so' || missing+=(libpangoft2-1.0-0)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/sbin/dovecot ] || command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-imapd)
command -v npm >/dev/null 2>&1 || missing+=(npm)  # brings axe-core for the accessibility checks
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Please install: ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 1
fi
