#!/usr/bin/env bash
# A local IMAP server for the demo: Debian's dovecot run from var/imap/ (no system service, no
# root needed beyond the package), with one mailbox, loket-kkp@localhost, that the KKP unit of
# the demo then polls. Run after `make demo-setup` (or beside `make demo`), from the checkout:
#
#   scripts/demo-imap.sh            # start dovecot on 127.0.0.1:1143 and set KKP's mailbox
#   scripts/demo-imap.sh stop       # stop it
#
# Then put a mail in (scripts/demo-imap-send.py) and let the worker poll, or poll by hand:
#   .venv/bin/loket mailbox poll --once
set -euo pipefail
ROOT="${LOKET_VAR_DIR:-$PWD/var}/imap"
PORT="${DEMO_IMAP_PORT:-1143}"
USER_NAME="loket-kkp@localhost"
PASSWORD="demo-imap-2026"

if [ "${1:-}" = "stop" ]; then
  if [ -f "$ROOT/run/master.pid" ]; then
    PID="$(cat "$ROOT/run/master.pid")"
    kill "$PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    echo "dovecot berhenti"
  fi
  exit 0
fi

DOVECOT="$(command -v dovecot || echo /usr/sbin/dovecot)"
[ -x "$DOVECOT" ] || { echo "dovecot tidak ada: sudo apt-get install -y dovecot-imapd"; exit 1; }
if [ "$(id -u)" = 0 ]; then RUN_AS=dovecot; else RUN_AS="$(id -un)"; fi
RUN_GROUP="$(id -gn "$RUN_AS")"
mkdir -p "$ROOT/run" "$ROOT/state" "$ROOT/home"
printf '%s:{PLAIN}%s\n' "$USER_NAME" "$PASSWORD" > "$ROOT/passwd"
cat > "$ROOT/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $ROOT/run
state_dir = $ROOT/state
log_path = $ROOT/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = $RUN_AS
default_internal_user = $RUN_AS
default_internal_group = $RUN_GROUP
first_valid_uid = $(id -u "$RUN_AS")
first_valid_gid = $(id -g "$RUN_AS")
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $ROOT/passwd
}
userdb {
  driver = static
  args = uid=$(id -u "$RUN_AS") gid=$(id -g "$RUN_AS") home=$ROOT/home/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
EOF
[ "$(id -u)" = 0 ] && chown -R "$RUN_AS:$RUN_GROUP" "$ROOT"
if [ "$(id -u)" = 0 ]; then
  setpriv --reuid="$RUN_AS" --regid="$RUN_GROUP" --clear-groups "$DOVECOT" -c "$ROOT/dovecot.conf" </dev/null >/dev/null 2>&1
else
  "$DOVECOT" -c "$ROOT/dovecot.conf" </dev/null >/dev/null 2>&1
fi
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
DEMO_IMAP_PASSWORD="$PASSWORD" LOKET_DEBUG=1 .venv/bin/loket mailbox set kkp --host 127.0.0.1 --port "$PORT" \
  --security none --user "$USER_NAME" --password-env DEMO_IMAP_PASSWORD --processed Diproses --failed Gagal
echo "IMAP demo: 127.0.0.1:$PORT, kotak $USER_NAME (unit kkp). Kirim surel uji: .venv/bin/python scripts/demo-imap-send.py"
