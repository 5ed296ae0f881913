#!/usr/bin/env bash
# Start the Debian PostgreSQL cluster on 127.0.0.1 (if it is not running) and make sure the
# test role and database exist.  Prints the connection URL on stdout; everything else on stderr.
# Used by `make test` and .ci/run; safe to run again.
set -euo pipefail

user=bangdiem_test
password=bangdiem_test
database=bangdiem_test
port=${BANGDIEM_PG_PORT:-5432}

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "Chưa cài PostgreSQL (gói Debian 'postgresql'): chạy 'make setup'." >&2
  exit 1
fi
# The cluster named main (tests start throwaway clusters beside it), else the first one.
cluster=$(pg_lsclusters --no-header | awk '$2=="main" {print $1" "$2; exit}')
[ -n "$cluster" ] || cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
  pg_createcluster "$version" main --port "$port" >&2
  cluster="$version main"
fi
read -r version name <<<"$cluster"
status=$(pg_lsclusters --no-header | awk -v v="$version" -v n="$name" '$1==v && $2==n {print $4}')
if [ "$status" != "online" ]; then
  pg_ctlcluster "$version" "$name" start -- -o "-c listen_addresses=127.0.0.1" >&2 ||
    pg_ctlcluster "$version" "$name" start >&2
fi
port=$(pg_lsclusters --no-header | awk -v v="$version" -v n="$name" '$1==v && $2==n {print $3}')

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
for _ in $(seq 1 30); do
  as_postgres pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
as_postgres psql -q -p "$port" -d postgres -v ON_ERROR_STOP=1 >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$user') THEN
    CREATE ROLE $user LOGIN PASSWORD '$password' CREATEDB CREATEROLE;
  END IF;
END \$\$;
-- CREATEROLE: the tests create and drop the lookup service's read-only role.
ALTER ROLE $user CREATEROLE;
SQL
if ! as_postgres psql -p "$port" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$database'" | grep -q 1; then
  as_postgres createdb -p "$port" -O "$user" "$database" >&2
fi
echo "postgresql://$user:$password@127.0.0.1:$port/$database"
