//! Random rejected functions, compiled together in a generated crate: every error must be ours
//! (`error: ..` from the macro), never a rustc error about generated code (issue 16). Each
//! function mixes supported constructs with one that is rejected, in one of several signatures
//! (plain, `wrt(..)`, `Result`, a method of an `impl` block under the attribute). The user's code
//! is valid Rust apart from what the macro rejects, so any rustc error is about generated code.
//! (rustc reports type errors beside the macro's, but not unresolved names: a crate with a
//! macro error gets no E0425. The ui corpus, one function per crate, sees those.)
//!
//! `cargo test` compiles 60 functions; `TAPELESS_REJECTED=n` and `TAPELESS_REJECTED_SEED=s` draw
//! others.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

/// The LCG of shared/bench-functions.md.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// Supported expressions over `x`, `y` (floats) and `v` (a slice).
const SUPPORTED: &[&str] = &[
    "x * y + x.sin()",
    "v.iter().map(|e| e * x).sum::<f64>()",
    "{ let w = |t: f64| t * y; w(x) + w(v[0]) }",
    "v.windows(2).map(|p| p[1] - p[0]).sum::<f64>() * y",
    "{ let mut s = 0.0; for i in 0..v.len() { s += v[i] * x; } s }",
    "(x * x + 1.0).ln()",
];

/// Constructs that are rejected, each using `a` (a differentiated value).
const REJECTED: &[&str] = &[
    "a.floor()",
    "(a as i64) as f64",
    "f64::from_bits(a.to_bits() + 1)",
    "if a > 1.0 { a } else { 0.0 }",
    "{ trait Odd { fn odd(self) -> f64; } impl Odd for f64 { fn odd(self) -> f64 { self } } a.odd() }",
    "vec![a; 3][1]",
    "v.iter().map(|e| e * a).collect::<Vec<_>>()[0]",
    "v.iter().copied().max_by(|p, q| (p * a).sin().partial_cmp(&(q * a).sin()).unwrap()).unwrap()",
    "v.iter().copied().filter(|e| *e > a).sum::<f64>()",
    "{ let c = move |t: f64| t * a; helper(c) }",
    "{ let k = a; loop { if k > 0.0 { break; } } k }",
    "(&a as *const f64) as usize as f64",
    "match a > 0.5 { true => a, false => -a }",
    "unsafe { a }",
    "{ let s: nalgebra::SVector<f64, 3> = nalgebra::SVector::from_fn(|i, _| v[i] * a); s.sum() }",
    "{ let mut w: Vec<f64> = Vec::new(); w.push(a); w[0] + a }",
    "{ let mut w = vec![a, 1.0]; w.swap(0, 1); w[0] }",
    "{ let mut w = vec![a, 2.0 * a]; w.reverse(); w[0] }",
    "{ let mut p = a; let mut q = 1.0; std::mem::swap(&mut p, &mut q); p + q }",
];

/// Constructs first order accepts and second order (`hessian`) rejects, each using `a`.
const REJECTED_SECOND: &[&str] = &[
    "nalgebra::Vector2::new(a, 1.0).map(|e| e * e).sum()",
    "(a as f32) as f64",
    "nalgebra::DVector::from_element(2, a).column(0).sum()",
];

/// Signatures: (attribute, item head, the value's wrapper, trailing item text).
const SIGNATURES: &[(&str, &str, &str)] = &[
    ("#[differentiable]", "fn NAME(x: f64, y: f64, v: &[f64]) -> f64", "BODY"),
    ("#[differentiable]", "fn NAME(x: f64, y: f64, v: &[f64]) -> Result<f64, String>", "Ok(BODY)"),
    ("#[differentiable(wrt(x, y))]", "fn NAME(x: f64, y: f64, v: &[f64]) -> f64", "BODY"),
    ("#[differentiable(hessian)]", "fn NAME(x: f64, y: f64, v: &[f64]) -> f64", "BODY"),
];

fn generate(count: usize, seed: u64) -> String {
    let mut r = Lcg(seed);
    let mut src = String::from(
        "#![allow(unused, clippy::all)]\nuse tapeless::differentiable;\n\nfn helper(f: impl Fn(f64) -> f64) -> f64 { f(1.0) }\n\n",
    );
    for k in 0..count {
        let supported = SUPPORTED[r.below(SUPPORTED.len())];
        let rejected = REJECTED[r.below(REJECTED.len())];
        let body = format!("{{\n    let a = {supported};\n    let b = {rejected};\n    a + b\n}}");
        match k % 3 {
            // A method of an impl block under the attribute.
            2 => {
                let _ = writeln!(
                    src,
                    "struct S{k};\n#[differentiable]\nimpl S{k} {{\n    #[differentiable(wrt(x))]\n    fn f(&self, x: f64, y: f64, v: &[f64]) -> f64 {body}\n}}\n"
                );
            }
            _ => {
                let (attr, head, wrap) = SIGNATURES[r.below(SIGNATURES.len())];
                let head = head.replace("NAME", &format!("f{k}"));
                // Half the `hessian` functions are rejected by second order only.
                let body = if attr.contains("hessian") && r.below(2) == 0 {
                    let rejected = REJECTED_SECOND[r.below(REJECTED_SECOND.len())];
                    format!("{{\n    let a = {supported};\n    let b = {rejected};\n    a + b\n}}")
                } else {
                    body
                };
                let value = format!("{{ let __value: f64 = {body}; __value }}");
                let body = wrap.replace("BODY", &value);
                let _ = writeln!(src, "{attr}\n{head} {{\n    {body}\n}}\n");
            }
        }
    }
    src.push_str("fn main() {}\n");
    src
}

/// The rustc errors the corpus may produce by design (see tests/errors_are_ours.rs): none of
/// these signatures and constructs should need one.
const ALLOWED_RUSTC: &[&str] = &[];

#[test]
fn rejected_functions_get_our_errors_only() {
    let count: usize = std::env::var("TAPELESS_REJECTED").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let seed: u64 =
        std::env::var("TAPELESS_REJECTED_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261129);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target").join("rejected");
    std::fs::create_dir_all(dir.join("src")).expect("create the generated crate");
    let manifest = format!(
        "[package]\nname = \"rejected\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\ntapeless = {{ path = {:?} }}\nnalgebra = \"0.35\"\nnum-traits = \"0.2\"\n\n[workspace]\n",
        root.display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("write Cargo.toml");
    let source = generate(count, seed);
    std::fs::write(dir.join("src").join("main.rs"), &source).expect("write main.rs");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--quiet", "--offline", "--color", "never"])
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target").join("differential-target"))
        .output()
        .expect("run cargo on the generated crate");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "every generated function is rejected, so the crate must not build");
    let ours = stderr
        .lines()
        .filter(|l| l.starts_with("error: ") && !l.starts_with("error: could not compile"))
        .count();
    let rustc: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error[E") && !ALLOWED_RUSTC.iter().any(|a| l.contains(a)))
        .collect();
    println!("{ours} errors of ours, {} of rustc", rustc.len());
    assert!(ours >= count, "each function reports at least one error of ours:\n{stderr}");
    assert!(rustc.is_empty(), "rustc errors about generated code:\n{stderr}\n--- source ---\n{source}");
}
