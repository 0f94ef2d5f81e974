//! Compile-time rules: what must not compile, with the message a user sees. Only failing
//! cases live here, so trybuild checks them (no code generation) in one cargo invocation.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("fail/*.rs");
}
