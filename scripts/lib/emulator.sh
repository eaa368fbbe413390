# shellcheck shell=bash
# What the benchmark scripts share to run the emulator (sourced, never run). bash 3.2.
#
#   cargo_target_dir   prints the workspace's target directory
#   emulator_url LOG   waits (10 s at most) until the emulator whose output goes to LOG prints
#                      "listening on URL", then prints URL; fails with LOG on stderr otherwise

cargo_target_dir() {
    cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p'
}

emulator_url() {
    local url="" _
    for _ in $(seq 1 100); do
        url="$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$1" 2>/dev/null | head -n 1)"
        [ -n "$url" ] && break
        sleep 0.1
    done
    if [ -z "$url" ]; then
        echo "the emulator did not start:" >&2
        cat "$1" >&2
        return 1
    fi
    echo "$url"
}
