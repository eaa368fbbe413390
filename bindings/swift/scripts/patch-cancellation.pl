#!/usr/bin/env perl
# Makes Swift task cancellation reach Rust in the uniffi-generated bindings (docspace_auth_ffi.swift),
# edited in place:
#
#   perl scripts/patch-cancellation.pl Sources/DocspaceAuth/docspace_auth_ffi.swift
#
# uniffi 0.32.2's Swift template (bindings/swift/templates/Async.swift, Helpers.swift) never calls
# the Rust future's `rust_future_cancel`: a cancelled Task keeps waiting for the Rust call, and a
# CALL_CANCELLED status is a `fatalError("Cancellation not supported yet")`. Kotlin's template frees
# the Rust future when the coroutine is cancelled, which drops it (the ffi crate's cancel-safe
# `login`/`confirm` rely on that). This script makes the Swift side do the same:
#
# 1. `uniffiRustCallAsync` takes a `cancelFunc` and polls inside `withTaskCancellationHandler`,
#    whose handler calls it: `rust_future_cancel` wakes the poll with READY, and `complete` then
#    drops the Rust future and reports CALL_CANCELLED;
# 2. CALL_CANCELLED throws `CancellationError()` instead of `fatalError`;
# 3. every call site passes the `rust_future_cancel_*` matching its `rust_future_free_*`.
#
# Each edit must match exactly (the whole text it replaces, and one call-site edit per
# `uniffiRustCallAsync(` call): anything else is an error, so a uniffi upgrade that changes the
# template stops the build here instead of producing half-patched bindings. Run it once per
# generated file (a second run fails: the text it looks for is gone).
use strict;
use warnings;

my $path = shift @ARGV or die "usage: patch-cancellation.pl <docspace_auth_ffi.swift>\n";
open my $in, '<', $path or die "patch-cancellation.pl: cannot read $path: $!\n";
my $src = do { local $/; <$in> };
close $in;

sub replace_once {
    my ($what, $from, $to) = @_;
    my $count = () = $src =~ /\Q$from\E/g;
    die "patch-cancellation.pl: $what: expected the generated text once, found it $count times "
      . "(uniffi's Swift template changed?)\n"
      unless $count == 1;
    $src =~ s/\Q$from\E/$to/;
}

my $marker = "// docspace-auth: patched by bindings/swift/scripts/patch-cancellation.pl";
die "patch-cancellation.pl: $path is already patched\n" if index($src, $marker) >= 0;

# 1. The signature: a cancel function next to the free function.
replace_once(
    'uniffiRustCallAsync signature',
    "    freeFunc: (UInt64) -> (),\n    liftFunc: (F) throws -> T,\n",
    "    freeFunc: (UInt64) -> (),\n    cancelFunc: (UInt64) -> (),\n    liftFunc: (F) throws -> T,\n",
);

# 1. The poll loop, inside a cancellation handler that cancels the Rust future.
replace_once(
    'poll loop start',
    "    var pollResult: Int8;\n    repeat {\n",
    "    $marker\n"
      . "    // A cancelled Task cancels the Rust future: the poll wakes up with READY, and `complete`\n"
      . "    // drops the future and reports CALL_CANCELLED (thrown as CancellationError).\n"
      . "    await withTaskCancellationHandler {\n"
      . "    var pollResult: Int8;\n    repeat {\n",
);
replace_once(
    'poll loop end',
    "    } while pollResult != UNIFFI_RUST_FUTURE_POLL_READY\n",
    "    } while pollResult != UNIFFI_RUST_FUTURE_POLL_READY\n"
      . "    } onCancel: {\n        cancelFunc(rustFuture)\n    }\n",
);

# 2. CALL_CANCELLED is Swift's CancellationError.
replace_once(
    'CALL_CANCELLED',
    "            fatalError(\"Cancellation not supported yet\")\n",
    "            throw CancellationError()  $marker\n",
);

# 3. Every call site: the cancel function of the same FFI return type as its free function.
my $calls = () = $src =~ /await uniffiRustCallAsync\(/g;
my $sites = $src =~ s/^(\s*)freeFunc: (ffi_\w+_rust_future_)free_(\w+),\n/$1freeFunc: $2free_$3,\n$1cancelFunc: $2cancel_$3,\n/mg;
$sites ||= 0;
die "patch-cancellation.pl: $calls uniffiRustCallAsync calls but $sites freeFunc arguments patched\n"
  unless $calls > 0 && $calls == $sites;

open my $out, '>', $path or die "patch-cancellation.pl: cannot write $path: $!\n";
print $out $src;
close $out or die "patch-cancellation.pl: cannot write $path: $!\n";
print "patch-cancellation.pl: $path: $sites async calls cancel their Rust future\n";
