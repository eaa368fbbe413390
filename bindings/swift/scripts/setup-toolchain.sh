#!/usr/bin/env bash
# Sets up, once, a Swift toolchain for Linux and reuses it afterwards:
# Debian trixie's `swiftlang` (6.0.3) inside a `debootstrap --variant=minbase trixie` chroot that
# lives OUTSIDE the clone.
#
#   DOCSPACE_SWIFT_CHROOT   where the chroot lives (default /var/cache/docspace-auth/swift-trixie)
#   DOCSPACE_DEBIAN_MIRROR  Debian package mirror (default: the one the host's apt uses,
#                           else http://deb.debian.org/debian)
#
#   setup-toolchain.sh --check-prerequisites   only checks what is needed (one line per missing
#                                              tool) and exits: 0 if all is there, 1 otherwise
#
# Linux only (test.sh uses a `swift` on the PATH instead when there is one, and on macOS).
# Needs root (debootstrap, chroot, mount). Non-interactive. Idempotent: a marker file inside the
# chroot records a completed setup; re-running with the marker present only re-checks `swift`.
# The chroot is built in "$DOCSPACE_SWIFT_CHROOT.partial" and renamed when complete, so an
# interrupted run never leaves a half-built toolchain behind the final path.
#
# Mounts: only /proc and a tmpfs on /tmp, and only inside a private mount namespace (`unshare --mount`), so nothing
# stays mounted when this script exits, whatever happens. /dev is never bind-mounted; the few
# device nodes the toolchain needs are created with mknod inside the chroot.
set -euo pipefail

ROOT="${DOCSPACE_SWIFT_CHROOT:-/var/cache/docspace-auth/swift-trixie}"
ROOT="${ROOT%/}"
MARKER="$ROOT/.docspace-swift-toolchain-ready"
PACKAGES=(swiftlang libc6-dev ca-certificates)
export DEBIAN_FRONTEND=noninteractive

log() { echo "[setup-toolchain] $*" >&2; }
die() { log "error: $*"; exit 1; }

# Prerequisites, before anything is changed: one line per missing one.
missing=0
need() { echo "docspace-auth: $*" >&2; missing=$((missing + 1)); }
have() { command -v "$1" >/dev/null 2>&1; }
if [ "$(uname -s)" != Linux ]; then
  need "the Swift chroot is Linux-only: on $(uname -s) put a Swift toolchain (swift) on the PATH instead (Xcode, or xcode-select --install)"
else
  [ "$(id -u)" -eq 0 ] || need "root is required for the Swift chroot (debootstrap, chroot, mount): run as root, or put a Swift toolchain (swift) on the PATH (https://www.swift.org/install)"
  have unshare || need "unshare (util-linux) is required for the Swift chroot: install it (apt install util-linux)"
  have flock || need "flock (util-linux) is required for the Swift chroot: install it (apt install util-linux)"
  have chroot || need "chroot (coreutils) is required for the Swift chroot: install it (apt install coreutils)"
  # debootstrap only to build the chroot the first time; installed here with apt-get when missing.
  if [ ! -f "$MARKER" ] && ! have debootstrap && ! have apt-get; then
    need "debootstrap is required to build the Swift chroot: install it (apt install debootstrap)"
  fi
fi
if [ "${1:-}" = --check-prerequisites ]; then
  exit "$((missing > 0))"
fi
[ "$missing" -eq 0 ] || exit 1
case "$ROOT" in
  /*) ;;
  *) die "DOCSPACE_SWIFT_CHROOT must be an absolute path (got '$ROOT')" ;;
esac
[ "$ROOT" != "/" ] || die "DOCSPACE_SWIFT_CHROOT must not be /"

# Runs "$@" (a command inside the chroot) with /proc mounted, in a private mount namespace.
# Usage: in_chroot ROOT command args...
in_chroot() {
  local root="$1"; shift
  unshare --mount --propagation private -- /bin/sh -c '
    set -e
    root="$1"; shift
    mount -t proc proc "$root/proc"
    mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
    exec chroot "$root" /usr/bin/env -i \
      HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
  ' sh "$root" "$@"
}

# Fails if anything is mounted at or below $1 (so we never rm -rf through a mount).
assert_no_mounts_under() {
  local dir="$1"
  if awk -v d="$dir" '{ if ($5 == d || index($5, d "/") == 1) { found = 1 } } END { exit !found }' \
      /proc/self/mountinfo; then
    die "something is still mounted under $dir; refusing to touch it (see /proc/self/mountinfo)"
  fi
}

# Device nodes the toolchain needs (no bind mount of /dev).
make_dev_nodes() {
  local root="$1"
  mkdir -p "$root/dev"
  local spec name major minor
  for spec in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    IFS=: read -r name major minor <<<"$spec"
    if [ ! -c "$root/dev/$name" ]; then
      rm -f "$root/dev/$name"
      mknod -m 666 "$root/dev/$name" c "$major" "$minor"
    fi
  done
  mkdir -p "$root/dev/shm" "$root/dev/pts"
  chmod 1777 "$root/dev/shm"
  [ -e "$root/dev/fd" ] || ln -s /proc/self/fd "$root/dev/fd"
  [ -e "$root/dev/stdin" ] || ln -s /proc/self/fd/0 "$root/dev/stdin"
  [ -e "$root/dev/stdout" ] || ln -s /proc/self/fd/1 "$root/dev/stdout"
  [ -e "$root/dev/stderr" ] || ln -s /proc/self/fd/2 "$root/dev/stderr"
}

host_mirror() {
  if [ -n "${DOCSPACE_DEBIAN_MIRROR:-}" ]; then
    echo "$DOCSPACE_DEBIAN_MIRROR"; return
  fi
  local m
  # deb822 ("URIs: ...") and one-line ("deb [opts] URI suite ...") sources; Debian's main archive only.
  m="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
        2>/dev/null \
      | sed -n -E -e 's/^URIs:[[:space:]]*//p' -e 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//p' \
      | tr ' \t' '\n\n' | grep -E '^https?://[^[:space:]]+/debian/?$' | head -n1 || true)"
  echo "${m:-http://deb.debian.org/debian}"
}

verify() {
  local root="$1"
  in_chroot "$root" swift --version
}

mkdir -p "$(dirname "$ROOT")"
exec 9>"$ROOT.lock"
if ! flock -n 9; then
  log "another setup is running; waiting for it"
  flock 9
fi

if [ -f "$MARKER" ]; then
  log "reusing toolchain in $ROOT"
  if ! grep -qxF "packages: ${PACKAGES[*]}" "$MARKER"; then
    # Made by an older version of this script: add what is missing, in place.
    log "installing packages missing from the toolchain: ${PACKAGES[*]}"
    in_chroot "$ROOT" apt-get update -q >&2
    in_chroot "$ROOT" apt-get install -y -q "${PACKAGES[@]}" >&2
    in_chroot "$ROOT" apt-get clean >&2
    # Not sed -i (GNU and BSD differ): a rewritten copy, moved over the marker.
    sed "s/^packages: .*/packages: ${PACKAGES[*]}/" "$MARKER" >"$MARKER.new"
    mv "$MARKER.new" "$MARKER"
  fi
  verify "$ROOT" >&2
  exit 0
fi

START=$(date +%s)
PARTIAL="$ROOT.partial"
MIRROR="$(host_mirror)"
log "building Swift toolchain chroot in $ROOT (mirror $MIRROR); this takes a while"

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap on the host"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

if [ -e "$ROOT" ]; then
  die "$ROOT exists but is not a completed toolchain (no marker); move it away or set DOCSPACE_SWIFT_CHROOT"
fi
# A previous interrupted run: start over (never through a mount).
if [ -e "$PARTIAL" ]; then
  assert_no_mounts_under "$PARTIAL"
  log "removing incomplete $PARTIAL"
  rm -rf --one-file-system "$PARTIAL"
fi

KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
KEYARG=()
if [ -f "$KEYRING" ]; then KEYARG=(--keyring="$KEYRING"); fi

debootstrap --variant=minbase ${KEYARG[@]+"${KEYARG[@]}"} trixie "$PARTIAL" "$MIRROR" >&2 \
  || { log "debootstrap failed; see $PARTIAL/debootstrap/debootstrap.log"; exit 1; }

make_dev_nodes "$PARTIAL"
cp -L /etc/resolv.conf "$PARTIAL/etc/resolv.conf" 2>/dev/null || true
# Host proxy settings for apt, if any (the host's apt.conf.d may carry them).
if apt-config dump 2>/dev/null | grep -qi '^Acquire::https\?::Proxy '; then
  apt-config dump | grep -i '^Acquire::https\?::Proxy ' >"$PARTIAL/etc/apt/apt.conf.d/90proxy"
fi
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
  >"$PARTIAL/etc/apt/apt.conf.d/90docspace-no-recommends"

in_chroot "$PARTIAL" apt-get update -q >&2
in_chroot "$PARTIAL" apt-get install -y -q "${PACKAGES[@]}" >&2
in_chroot "$PARTIAL" apt-get clean >&2

verify "$PARTIAL" >&2

END=$(date +%s)
{
  echo "packages: ${PACKAGES[*]}"
  echo "mirror: $MIRROR"
  echo "setup-seconds: $((END - START))"
  echo "completed: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$PARTIAL/$(basename "$MARKER")"
assert_no_mounts_under "$PARTIAL"
mv "$PARTIAL" "$ROOT"
log "toolchain ready in $ROOT after $((END - START)) s"
