#!/usr/bin/env bash
# Installs (if needed) and starts Debian's PostgreSQL on 127.0.0.1:5432 with database and user `agentmesh`,
# then prints the JDBC URL. Idempotent: safe to run on a machine where it already runs.
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
fi
version="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | grep -q "^$version main .* online"; then
  pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 30); do
  su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname = 'agentmesh'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"create role agentmesh login password 'agentmesh'\""
su postgres -c "psql -qtAc \"select 1 from pg_database where datname = 'agentmesh'\"" | grep -q 1 \
  || su postgres -c "createdb -O agentmesh agentmesh"
echo "jdbc:postgresql://127.0.0.1:5432/agentmesh"
