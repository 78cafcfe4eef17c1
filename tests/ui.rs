//! Compile-fail cases: every diagnostic of the macro, with its `.stderr` snapshot.
//! Regenerate snapshots after an intended change with `TRYBUILD=overwrite cargo test --test ui`,
//! then read every changed one as a user would.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*.rs");
}
