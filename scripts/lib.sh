# Shared by the scripts in this directory: paths and pinned versions.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Outside the clone, so that a fresh clone (CI) builds incrementally.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/sanus/target}
# Where scripts/build-site puts the built front-end.
SITE_DIR=${SANUS_SITE_DIR:-$CARGO_TARGET_DIR/site}
# Must equal the wasm-bindgen crate version in Cargo.lock (pinned with `=`).
WASM_BINDGEN_VERSION=0.2.129
RUST_MIN_VERSION=1.95

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $*"
  fi
}

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
