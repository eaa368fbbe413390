# shellcheck shell=bash
# Prerequisite checks shared by the project's scripts (sourced, never run). Each check prints one line
# per missing tool, naming what to install, and counts it; `prereq_done` then exits 1 if anything was
# missing. Scripts call the checks first, before they build, download or change anything.
#
#   . "$root/scripts/lib/prereq.sh"
#   need_rust "the Kotlin tests"; need_java 17 "the Kotlin tests"; prereq_done
#
# bash 3.2 compatible (macOS's /bin/bash), like every script here.

prereq_missing=0

# prereq_fail TEXT: one line on stderr, counted.
prereq_fail() {
  echo "docspace-auth: $*" >&2
  prereq_missing=$((prereq_missing + 1))
}

# prereq_done: exits 1 when a check failed.
prereq_done() {
  if [ "$prereq_missing" -gt 0 ]; then
    exit 1
  fi
}

# need_cmd COMMAND WHAT PURPOSE HOW: "WHAT is required for PURPOSE: install it (HOW)".
need_cmd() {
  command -v "$1" >/dev/null 2>&1 || prereq_fail "$2 is required for $3: install it ($4)"
}

# need_rust PURPOSE: cargo and rustc.
need_rust() {
  need_cmd cargo "Rust's cargo" "$1" "rustup from https://rustup.rs, or apt install cargo"
  need_cmd rustc "Rust's rustc" "$1" "rustup from https://rustup.rs, or apt install rustc"
}

# need_python PURPOSE [PYTHON]: Python 3.9 or later with venv and pip (PYTHON defaults to $PYTHON, else
# python3).
need_python() {
  local py="${2:-${PYTHON:-python3}}"
  if ! command -v "$py" >/dev/null 2>&1; then
    prereq_fail "Python 3.9 or later ($py) is required for $1: install it (apt install python3 python3-venv / brew install python)"
    return 0
  fi
  if ! "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' >/dev/null 2>&1; then
    prereq_fail "Python 3.9 or later is required for $1, $py is $("$py" -V 2>&1): install a newer one (apt install python3 / brew install python) or set PYTHON"
    return 0
  fi
  "$py" -c 'import venv, ensurepip' >/dev/null 2>&1 \
    || prereq_fail "Python's venv module with pip is required for $1 ($py has none): install it (apt install python3-venv)"
}

# java_major: the major version of `java` on the PATH (8 for 1.8.0_x), empty if unknown.
java_major() {
  java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\)\.\{0,1\}\([0-9]*\).*/\1 \2/p' | head -n 1 \
    | awk '{ print ($1 == 1) ? $2 : $1 }'
}

# need_java MIN PURPOSE: a JDK (java and javac) of version MIN or later.
need_java() {
  local major
  if ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
    prereq_fail "a JDK $1 or later (java, javac) is required for $2: install it (apt install openjdk-$1-jdk / brew install openjdk@$1)"
    return 0
  fi
  major="$(java_major)"
  if [ -z "$major" ] || [ "$major" -lt "$1" ]; then
    prereq_fail "a JDK $1 or later is required for $2, java is ${major:-of unknown version}: install it (apt install openjdk-$1-jdk / brew install openjdk@$1) or put it first on the PATH"
  fi
}

# need_maven PURPOSE
need_maven() {
  need_cmd mvn "Maven (mvn)" "$1" "apt install maven / brew install maven"
}

# need_node PURPOSE: Node 18 or later (the built-in fetch).
need_node() {
  if ! command -v node >/dev/null 2>&1; then
    prereq_fail "Node.js 18 or later (node) is required for $1: install it (apt install nodejs / brew install node)"
  elif ! node -e 'process.exit(typeof fetch === "function" ? 0 : 1)' >/dev/null 2>&1; then
    prereq_fail "Node.js 18 or later is required for $1 (node $(node --version 2>/dev/null) has no built-in fetch): install a newer one (apt install nodejs / brew install node)"
  fi
}
