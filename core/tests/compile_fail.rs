//! Misuse of the typestates must not compile.

#[test]
fn typestate_misuse_does_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
