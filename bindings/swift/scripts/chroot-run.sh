#!/usr/bin/env bash
# Runs a command inside the Swift toolchain chroot made by setup-toolchain.sh.
#
#   chroot-run.sh [--bind DIR]... [--chdir DIR] [--env NAME=VALUE]... -- COMMAND [ARGS...]
#
# Each --bind DIR (absolute) is bind-mounted read-write at the same path inside the chroot, so
# paths mean the same thing on both sides. /proc and a fresh /tmp (tmpfs) are mounted; /dev is
# never bind-mounted (the chroot has its own device nodes). All mounts live in a private mount namespace
# (`unshare --mount`): they disappear when the command ends, whatever happens, and are never
# visible on the host. The command also runs in its own PID namespace: when it ends (or this
# script is killed), every process it left behind (say, an emulator of a crashed test) is killed
# too. The command starts with a clean environment plus the --env values. Linux only (unshare, GNU
# realpath -m); bindings/swift/test.sh does not call it where a `swift` is on the PATH.
set -euo pipefail

ROOT="${DOCSPACE_SWIFT_CHROOT:-/var/cache/docspace-auth/swift-trixie}"
ROOT="${ROOT%/}"
MARKER="$ROOT/.docspace-swift-toolchain-ready"

if [ "$(uname -s)" != Linux ]; then
  echo "docspace-auth: the Swift chroot is Linux-only: on $(uname -s) put a Swift toolchain (swift) on the PATH instead" >&2
  exit 1
fi
command -v unshare >/dev/null 2>&1 \
  || { echo "docspace-auth: unshare (util-linux) is required for the Swift chroot: install it (apt install util-linux)" >&2; exit 1; }

binds=()
envs=()
chdir=/
while [ $# -gt 0 ]; do
  case "$1" in
    --bind) binds+=("$(realpath "$2")"); shift 2 ;;
    --chdir) chdir="$(realpath -m "$2")"; shift 2 ;;
    --env) envs+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "chroot-run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "chroot-run.sh: no command given" >&2; exit 2; }
[ -f "$MARKER" ] || { echo "chroot-run.sh: no toolchain at $ROOT; run setup-toolchain.sh" >&2; exit 1; }

for b in ${binds[@]+"${binds[@]}"}; do
  [ -d "$b" ] || { echo "chroot-run.sh: --bind $b is not a directory" >&2; exit 2; }
  case "$b" in
    /tmp|/tmp/*) ;;  # made inside the fresh /tmp below
    *) mkdir -p "$ROOT$b" ;;
  esac
done

# Inside the new namespace: mount, then chroot. Arguments: root, chdir, #binds, binds..., #envs,
# envs..., command...
exec unshare --mount --propagation private --pid --fork --kill-child -- /bin/bash -c '
  set -euo pipefail
  root="$1"; chdir="$2"; shift 2
  n="$1"; shift
  binds=("${@:1:$n}"); shift "$n"
  n="$1"; shift
  envs=("${@:1:$n}"); shift "$n"
  mount -t proc proc "$root/proc"
  # A fresh /tmp for every run (the swift driver leaves temporary directories behind).
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  for b in ${binds[@]+"${binds[@]}"}; do mkdir -p "$root$b"; mount --bind "$b" "$root$b"; done
  exec chroot "$root" /usr/bin/env -i \
    HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    ${envs[@]+"${envs[@]}"} /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$chdir" "$@"
' bash "$ROOT" "$chdir" "${#binds[@]}" ${binds[@]+"${binds[@]}"} "${#envs[@]}" ${envs[@]+"${envs[@]}"} "$@"
