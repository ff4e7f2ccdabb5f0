//! Command-line cases: each `tests/cmd/NAME.toml` runs `poolc` in a copy of `NAME.in/` and
//! compares its exit code, stdout and stderr, and `NAME.out/` when present, exactly.
//! Regenerate expectations with `TRYCMD=overwrite cargo test --test cli` and review the diff.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .env("COLUMNS", "100")
        .env("NO_COLOR", "1")
        .case("tests/cmd/*.toml");
}
