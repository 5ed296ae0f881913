#!/usr/bin/env bash
# Install the Debian packages listed in tools/system-packages.txt that are missing.
# As root: apt-get installs them.  Otherwise: a clear message naming them, and exit 1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/system-packages.txt")
missing=()
for pkg in "${wanted[@]}"; do
  pkg=$(echo "$pkg" | xargs)
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "Thiếu các gói hệ thống: ${missing[*]}" >&2
  echo "Cài bằng quyền root: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Cài gói hệ thống: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
