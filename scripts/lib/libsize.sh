# shellcheck shell=bash
# The size of the shared library apps ship, as its budget counts it (README "Budgets": a stripped
# copy). Sourced by scripts/measure-budgets.sh and scripts/check-size.sh, never run. bash 3.2.
#
#   lib_file          the library's file name on this OS
#   LIB_BUDGET        its budget in bytes (3 MiB)
#   stripped_bytes F  the size of a stripped copy of F (F itself is not touched)

# shellcheck disable=SC2034 # lib_file and LIB_BUDGET are for the scripts that source this
case "$(uname -s)" in
    Darwin) lib_file=libdocspace_auth_ffi.dylib; lib_strip_args=(-x) ;; # no --strip-all there
    *) lib_file=libdocspace_auth_ffi.so; lib_strip_args=(--strip-all) ;;
esac
# shellcheck disable=SC2034
LIB_BUDGET=$((3 * 1048576))

stripped_bytes() {
    local copy
    copy="$(mktemp)"
    cp "$1" "$copy"
    if ! strip "${lib_strip_args[@]}" "$copy"; then
        rm -f "$copy"
        return 1
    fi
    # wc -c, not GNU stat -c %s (BSD stat spells it -f %z).
    wc -c <"$copy" | tr -d ' '
    rm -f "$copy"
}
