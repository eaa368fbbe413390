#!/usr/bin/env bash
# The login benchmark (bench/README.md): builds the release emulator and every client, then
# bench/harness/bench.py runs the same 2FA login with each of them against the emulator.
#
#   bash bench/run.sh           full run: writes bench/results/latest.{md,svg,json}
#   bash bench/run.sh --smoke   a few logins per client with debug builds, checks that each one
#                               logged in (CI); writes bench/.work/smoke/ only; skips Kotlin
#                               unless BENCH_KOTLIN=1
#
# Environment: BENCH_BUILD_NICE (niceness of the builds, default 0), BENCH_KOTLIN (1: Kotlin also in
# smoke mode; 0: never), BENCH_STRICT_EXIT=1 (a client process that exits non-zero after logging in
# fails the run; otherwise a warning), BENCH_CONCURRENCY (logins at a time, default 1,8,64; e.g.
# 1,8,64,1000; the emulator serves at most 1024 connections), PYTHON (default python3).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

smoke=0
case "${1:-}" in
    --smoke) smoke=1 ;;
    "") ;;
    *) echo "usage: bash bench/run.sh [--smoke]" >&2; exit 2 ;;
esac
python="${PYTHON:-python3}"
kotlin="${BENCH_KOTLIN:-}"
[ -z "$kotlin" ] && { [ "$smoke" = 1 ] && kotlin=0 || kotlin=1; }

# shellcheck source=scripts/lib/prereq.sh
. "$root/scripts/lib/prereq.sh"
need_rust "the benchmark"
need_python "the benchmark" "$python"
need_node "the benchmark's node client"
if [ "$kotlin" = 1 ]; then
    need_maven "the benchmark's Kotlin client (BENCH_KOTLIN=0 skips it)"
    need_java 17 "the benchmark's Kotlin client (BENCH_KOTLIN=0 skips it)"
fi
prereq_done

work="$root/bench/.work"
mkdir -p "$work"
build() { nice -n "${BENCH_BUILD_NICE:-0}" "$@"; }
SDK_VERSION=3.7.0 # docspace-api-sdk, the vendor's official Python SDK (pinned)

clients=()
skips=()
broken=()
# Setup failures: an error row (the run fails) for a client this mode must run, a skip otherwise.
failed() { # name required(0/1) reason
    if [ "$2" = 1 ]; then broken+=(--broken "$1=$3"); else skips+=(--skip "$1=$3"); fi
    echo "==> $1: $3" >&2
}

# Smoke mode measures nothing, so it takes the debug builds CI's tests already made (and the small
# bench crate) instead of two fat-LTO release builds.
if [ "$smoke" = 1 ]; then profile=debug; profile_args=(); else profile=release; profile_args=(--release); fi
echo "==> Rust: $profile emulator and bench-client (floor, core)"
build cargo build ${profile_args[@]+"${profile_args[@]}"} -q -p docspace-emulator -p docspace-bench
# shellcheck source=scripts/lib/emulator.sh
. "$root/scripts/lib/emulator.sh"
target_dir="$(cargo_target_dir)"
emulator="$target_dir/$profile/docspace-emulator"
bc="$target_dir/$profile/bench-client"
clients+=(--client "floor=$bc floor" --client "core-new=$bc core-new" --client "core-clone=$bc core-clone")

echo "==> Python: docspace_auth (bindings/python, release) in a bench venv"
py_venv="$work/venv-py"
reuse="$root/bindings/python/.venv"
if [ "$smoke" = 1 ] && [ -x "$reuse/bin/python" ] && (cd "$work" && "$reuse/bin/python" -c 'import docspace_auth') 2>/dev/null; then
    py_venv="$reuse" # CI's bindings/python/test.sh installed it minutes ago
    echo "    (smoke: using the wheel bindings/python/test.sh installed in $reuse)"
elif { "$py_venv/bin/python" -c '' 2>/dev/null || "$python" -m venv --upgrade "$py_venv"; } \
    && "$py_venv/bin/python" -m pip install -q --disable-pip-version-check "maturin>=1.14,<2" \
    && build "$py_venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps \
        "$root/bindings/python"; then
    :
else
    py_venv=""
    for v in sync async sync-reuse async-reuse; do
        failed "py-$v" 1 "the Python binding did not build or install"
    done
fi
if [ -n "$py_venv" ]; then
    for v in sync async sync-reuse async-reuse; do
        clients+=(--client "py-$v=$py_venv/bin/python $root/bench/clients/python/docspace_client.py $v")
    done
fi

# Python's own floors (standard library only): what Python and asyncio cost for this login.
for v in sync async; do
    clients+=(--client "py-floor-$v=$python $root/bench/clients/python/floor_client.py $v")
done

echo "==> Python: official SDK docspace-api-sdk==$SDK_VERSION in its own venv"
sdk_venv="$work/venv-sdk"
if { "$sdk_venv/bin/python" -c '' 2>/dev/null || "$python" -m venv --upgrade "$sdk_venv"; } \
    && "$sdk_venv/bin/python" -m pip install -q --disable-pip-version-check "docspace-api-sdk==$SDK_VERSION"; then
    clients+=(--client "sdk=$sdk_venv/bin/python $root/bench/clients/python/sdk_client.py new")
    clients+=(--client "sdk-reuse=$sdk_venv/bin/python $root/bench/clients/python/sdk_client.py reuse")
else
    failed sdk 1 "pip could not install docspace-api-sdk==$SDK_VERSION"
    failed sdk-reuse 1 "pip could not install docspace-api-sdk==$SDK_VERSION"
fi

echo "==> Kotlin/JVM: the binding into ~/.m2 (release), then the bench program"
if [ "$kotlin" != 1 ]; then
    if [ -n "${BENCH_KOTLIN:-}" ]; then why="BENCH_KOTLIN=$BENCH_KOTLIN"; else why="smoke mode"; fi
    failed kotlin 0 "$why: building the release binding jar takes minutes (BENCH_KOTLIN=1 runs it)"
elif ! command -v mvn >/dev/null || ! command -v java >/dev/null; then
    failed kotlin 1 "mvn or java is not installed"
elif (cd bindings/kotlin && build mvn -B -ntp -q install -Dcargo.profile=release -DskipTests) \
    && (cd bench/clients/kotlin && build mvn -B -ntp -q compile dependency:build-classpath \
        -Dmdep.outputFile="$work/kotlin.classpath"); then
    clients+=(--client "kotlin=java -cp $root/bench/clients/kotlin/target/classes:$(cat "$work/kotlin.classpath") BenchKt")
else
    failed kotlin 1 "the Kotlin binding or the bench program did not build"
fi

echo "==> Node: the vendor's sample flow with the built-in fetch"
if command -v node >/dev/null && node -e 'process.exit(typeof fetch === "function" ? 0 : 1)'; then
    clients+=(--client "node=node $root/bench/clients/node/login.mjs")
else
    failed node 1 "node with a built-in fetch (Node 18+) is not installed"
fi

if [ "$smoke" = 1 ]; then
    out="$work/smoke"
    mode=(--smoke)
else
    out="$root/bench/results"
    mode=()
fi
if [ "${BENCH_STRICT_EXIT:-0}" = 1 ]; then mode+=(--strict-exit); fi
if [ -n "${BENCH_CONCURRENCY:-}" ]; then mode+=(--concurrency "$BENCH_CONCURRENCY"); fi
echo "==> Measuring (emulator: $emulator)"
exec "$python" "$root/bench/harness/bench.py" --emulator "$emulator" --users "$root/tests/fixtures/users.json" \
    --out "$out" ${mode[@]+"${mode[@]}"} ${clients[@]+"${clients[@]}"} ${skips[@]+"${skips[@]}"} \
    ${broken[@]+"${broken[@]}"}
