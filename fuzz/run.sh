#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60; `--smoke`: 3, on a debug build), from the committed seed
# corpus (fuzz/corpus/, read only: new inputs go to a scratch folder), and prints the executions
# per target and in total. A crash stops it with the input saved under fuzz/artifacts/.
#
#   bash fuzz/run.sh            # the figures in README's security section
#   bash fuzz/run.sh --smoke    # .ci/run
#   bash fuzz/run.sh 300        # longer
#
# cargo-fuzz (installed here if missing) on the stable toolchain, without a sanitizer: the
# crates fuzzed forbid `unsafe`. With a nightly toolchain, FUZZ_TOOLCHAIN=nightly
# FUZZ_SANITIZER=address runs the same targets under AddressSanitizer.
set -euo pipefail
cd "$(dirname "$0")"

# shellcheck source=scripts/lib/prereq.sh
. ../scripts/lib/prereq.sh
need_rust "fuzzing"
need_cmd rustup "rustup (cargo +TOOLCHAIN)" "fuzzing" "https://rustup.rs"
prereq_done

seconds=60
build=() # release (cargo fuzz's default, with debug assertions)
case "${1:-}" in
  --smoke) seconds=3; build=(--dev) ;; # CI: that they build and run, not how far they get
  "") ;;
  *) seconds=$1 ;;
esac
toolchain=${FUZZ_TOOLCHAIN:-stable}
sanitizer=${FUZZ_SANITIZER:-none}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz"
  cargo install cargo-fuzz --locked --version 0.13.2 --quiet
fi

targets=$(cargo "+$toolchain" fuzz list)
cargo "+$toolchain" fuzz build "${build[@]+"${build[@]}"}" -s "$sanitizer" 2>&1 | grep -v '^ *Compiling' || true

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
total=0
count=0
for target in $targets; do
  mkdir -p "$scratch/$target" "corpus/$target"
  log="$scratch/$target.log"
  if ! cargo "+$toolchain" fuzz run "${build[@]+"${build[@]}"}" -s "$sanitizer" "$target" "$scratch/$target" "corpus/$target" \
    -- -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: $target crashed (input saved under fuzz/artifacts/$target/)"
    echo "fuzz: $count passed, 1 failed"
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  printf '%-16s %12d executions in %ss, %d inputs in the corpus\n' "$target" "$runs" "$seconds" \
    "$(find "$scratch/$target" "corpus/$target" -type f | wc -l)"
  total=$((total + runs))
  count=$((count + 1))
done
echo "fuzz: $total executions in total, 0 crashes"
echo "fuzz: $count passed, 0 failed"
