#!/usr/bin/env bash
# Staff accounts for `make demo` only (never for production): one per role, sharing a random
# password made once and kept in $BANGDIEM_DATA_DIR/demo-accounts.txt (readable by you only).
set -euo pipefail
bin=.venv/bin/bangdiem
data=${BANGDIEM_DATA_DIR:-var}
file="$data/demo-accounts.txt"
mkdir -p "$data"
if [ ! -f "$file" ]; then
  password=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(12))')
  for pair in vanhanh:operator duyet:reviewer pheduyet:approver quantri:admin; do
    name=${pair%%:*}
    role=${pair##*:}
    echo "$password" | "$bin" users add "$name" --role "$role" --name "Tài khoản thử ($role)" \
      --password-stdin >/dev/null 2>&1 \
      || echo "$password" | "$bin" users passwd "$name" --password-stdin >/dev/null
  done
  (umask 077 && printf 'Tài khoản thử (mật khẩu chung: %s): vanhanh (vận hành), duyet (người duyệt), pheduyet (người phê duyệt), quantri (quản trị)\n' "$password" > "$file")
fi
cat "$file"
