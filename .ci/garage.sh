#!/usr/bin/env bash
# Starts a single-node Garage (S3-compatible) server for the S3 blob-store tests and prints the
# environment the tests need. Installs Garage first when it is missing (about 7-12 minutes of
# compiling, cached under $HOME/.cargo/bin afterwards).
#
#   eval "$(.ci/garage.sh start)"   # exports HOSO_TEST_S3_* and AWS_* for this shell
#   .ci/garage.sh stop
set -euo pipefail

GARAGE_VERSION=2.5.0
STATE_DIR=${HOSO_GARAGE_DIR:-${TMPDIR:-/tmp}/hoso-ci-garage}
CONFIG=$STATE_DIR/garage.toml
S3_PORT=${HOSO_GARAGE_S3_PORT:-3900}
RPC_PORT=${HOSO_GARAGE_RPC_PORT:-3901}
ADMIN_PORT=${HOSO_GARAGE_ADMIN_PORT:-3903}
BUCKET=hoso-test

log() { echo "garage.sh: $*" >&2; }

stop() {
  if [ -f "$STATE_DIR/pid" ]; then
    kill "$(cat "$STATE_DIR/pid")" 2>/dev/null || true
    rm -f "$STATE_DIR/pid"
  fi
}

install() {
  export PATH="$HOME/.cargo/bin:$PATH"
  if command -v garage >/dev/null 2>&1 && garage --version 2>/dev/null | grep -q "$GARAGE_VERSION"; then
    return
  fi
  log "installing garage $GARAGE_VERSION with cargo (one-time, several minutes)"
  cargo install --locked --quiet garage --version "$GARAGE_VERSION" >&2
}

start() {
  install
  stop
  rm -rf "$STATE_DIR"
  mkdir -p "$STATE_DIR/meta" "$STATE_DIR/data"
  cat >"$CONFIG" <<TOML
metadata_dir = "$STATE_DIR/meta"
data_dir = "$STATE_DIR/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$RPC_PORT"
rpc_public_addr = "127.0.0.1:$RPC_PORT"
rpc_secret = "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$S3_PORT"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:$ADMIN_PORT"
TOML
  garage -c "$CONFIG" server >"$STATE_DIR/server.log" 2>&1 &
  echo $! >"$STATE_DIR/pid"
  for _ in $(seq 1 100); do
    if garage -c "$CONFIG" status >/dev/null 2>&1; then break; fi
    sleep 0.2
  done
  garage -c "$CONFIG" status >/dev/null 2>&1 || { log "garage did not start:"; cat "$STATE_DIR/server.log" >&2; exit 1; }
  node=$(garage -c "$CONFIG" node id -q 2>/dev/null | cut -d@ -f1)
  garage -c "$CONFIG" layout assign -z dc1 -c 1G "$node" >/dev/null
  garage -c "$CONFIG" layout apply --version 1 >/dev/null
  garage -c "$CONFIG" bucket create "$BUCKET" >/dev/null
  keys=$(garage -c "$CONFIG" key create hoso-test-key 2>/dev/null)
  key_id=$(echo "$keys" | awk -F': *' '/Key ID/ {print $2; exit}' | tr -d ' ')
  secret=$(echo "$keys" | awk -F': *' '/Secret key/ {print $2; exit}' | tr -d ' ')
  if [ -z "$key_id" ] || [ -z "$secret" ]; then log "could not read the new key:"; echo "$keys" >&2; exit 1; fi
  garage -c "$CONFIG" bucket allow --read --write --owner "$BUCKET" --key hoso-test-key >/dev/null
  log "garage is serving S3 at http://127.0.0.1:$S3_PORT (bucket $BUCKET)"
  echo "export HOSO_TEST_S3_ENDPOINT=http://127.0.0.1:$S3_PORT"
  echo "export HOSO_TEST_S3_BUCKET=$BUCKET"
  echo "export HOSO_TEST_S3_REGION=garage"
  echo "export AWS_ACCESS_KEY_ID=$key_id"
  echo "export AWS_SECRET_ACCESS_KEY=$secret"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
