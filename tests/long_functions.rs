//! Long functions build in the debug profile and differentiate correctly.
//!
//! Generated code used to nest one lexical scope per value, and rustc's debug-info writer
//! overflowed its stack on functions of a few hundred statements. This test writes a crate with
//! a 400- and a 2 000-statement straight-line function, a loop whose body has 1 000 statements
//! and a function of 200 `if` blocks, builds it with `cargo build` (debug, as `cargo test`
//! builds), runs it, and the program checks every gradient against the derivative carried by
//! hand through the same chain (analytic, to 1e-9 relative: the chain contracts, so some
//! derivatives are 1e-12 and central differences alone could not tell them from zero), against
//! central differences, and forward mode against reverse mode (`<w, J v> = <Jᵀ w, v>`).
//!
//! It runs cargo on a fresh crate (about two minutes on two cores), so it is ignored by default:
//! `cargo test --test long_functions -- --ignored`. The same shapes at larger sizes are timed by
//! `bash benches/compile_cost.sh long`.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// Statement `i` of a chain over `a` and `b`, as `benches/long_function.sh` writes it.
fn statement(i: usize) -> &'static str {
    if i.is_multiple_of(2) {
        "a = (a * 0.999 + b * 0.001).sin();"
    } else {
        "b = (b * 0.999 + a * 0.001).cos();"
    }
}

/// A module `name` holding `big` of the given shape with `#[differentiable]`.
fn module(name: &str, shape: &str, n: usize) -> String {
    let mut s = format!("mod {name} {{\n    use tapeless::differentiable;\n    #[differentiable]\n");
    let body: String = match shape {
        "straight" => (0..n).map(|i| format!("    {}\n", statement(i))).collect(),
        "loop" => {
            let inner: String = (0..n).map(|i| format!("        {}\n", statement(i))).collect();
            format!("    for c in x.iter() {{\n        a = a + 0.01 * c;\n{inner}    }}\n")
        }
        _ => (0..n)
            .map(|i| {
                format!("    if k % 3 == {} {{ {} }} else {{ {} }}\n", i % 3, statement(0), statement(1))
            })
            .collect(),
    };
    let (params, init) = match shape {
        "straight" => ("x: f64, y: f64", "let mut a = x;\n    let mut b = y;"),
        "loop" => ("x: &[f64], y: f64", "let mut a = y;\n    let mut b = 0.5;"),
        _ => ("x: f64, y: f64, k: usize", "let mut a = x;\n    let mut b = y;"),
    };
    let _ = write!(s, "    pub fn big({params}) -> f64 {{\n    {init}\n{body}    a + b\n    }}\n}}\n");
    s
}

/// The program: checks of each function, exiting non-zero on the first mismatch.
const MAIN: &str = r#"
fn close(a: f64, b: f64, what: &str) {
    let tolerance = 1e-7 * (1.0 + a.abs().max(b.abs()));
    if !((a - b).abs() <= tolerance) {
        eprintln!("MISMATCH {what}: {a} vs {b}");
        std::process::exit(1);
    }
}

/// Central difference of `f` at step `h`.
fn central(f: &dyn Fn(f64) -> f64, h: f64) -> f64 {
    (f(h) - f(-h)) / (2.0 * h)
}

/// Statement `i` of the chain with its derivative carried by hand (the analytic reference):
/// `a = sin(0.999 a + 0.001 b)` or `b = cos(0.999 b + 0.001 a)` on `(a, b, da, db)`.
fn step(i: usize, s: &mut [f64; 4]) {
    let [a, b, da, db] = *s;
    if i % 2 == 0 {
        let (u, du) = (0.999 * a + 0.001 * b, 0.999 * da + 0.001 * db);
        s[0] = u.sin();
        s[2] = u.cos() * du;
    } else {
        let (u, du) = (0.999 * b + 0.001 * a, 0.999 * db + 0.001 * da);
        s[1] = u.cos();
        s[3] = -u.sin() * du;
    }
}

/// The derivative of `a + b` along `(da, db)` from `(a, b)`, after `statements` (indices).
fn reference(a: f64, b: f64, da: f64, db: f64, statements: &mut dyn Iterator<Item = usize>) -> f64 {
    let mut s = [a, b, da, db];
    for i in statements {
        step(i, &mut s);
    }
    s[2] + s[3]
}

/// Relative agreement, for derivatives that may be tiny (the chain contracts).
fn same(a: f64, b: f64, what: &str) {
    if !((a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 1e-300) {
        eprintln!("MISMATCH {what}: {a:e} vs {b:e}");
        std::process::exit(1);
    }
}

fn scalar(name: &str, f: &dyn Fn(f64, f64) -> f64, grad: &dyn Fn(f64, f64) -> (f64, (f64, f64)),
          jvp: &dyn Fn(f64, f64, f64, f64) -> (f64, f64), vjp: &dyn Fn(f64, f64, f64) -> (f64, (f64, f64)),
          statements: &dyn Fn() -> Vec<usize>) {
    for (x, y) in [(0.3, 0.7), (-1.1, 0.4), (2.0, -0.5)] {
        let (value, (gx, gy)) = grad(x, y);
        close(value, f(x, y), &format!("{name} value"));
        same(gx, reference(x, y, 1.0, 0.0, &mut statements().into_iter()), &format!("{name} analytic d/dx at ({x}, {y})"));
        same(gy, reference(x, y, 0.0, 1.0, &mut statements().into_iter()), &format!("{name} analytic d/dy at ({x}, {y})"));
        close(gx, central(&|h| f(x + h, y), 1e-5), &format!("{name} d/dx at ({x}, {y})"));
        close(gy, central(&|h| f(x, y + h), 1e-5), &format!("{name} d/dy at ({x}, {y})"));
        let (u, v, w) = (0.6, -1.3, 1.7);
        let (jv_value, jv) = jvp(x, y, u, v);
        close(jv_value, value, &format!("{name} jvp value"));
        let (vjp_value, (bx, by)) = vjp(x, y, w);
        close(vjp_value, value, &format!("{name} vjp value"));
        same(w * jv, bx * u + by * v, &format!("{name} <w, J v> = <J^T w, v>"));
        println!("{name} at ({x}, {y}): value {value:.6}, gradient ({gx:.6e}, {gy:.6e})");
    }
}

fn main() {
    scalar("straight400", &straight400::big, &straight400::big_grad, &straight400::big_jvp,
        &|x, y, w| { let (v, pb) = straight400::big_vjp(x, y); (v, pb(w)) }, &|| (0..400).collect());
    scalar("straight2000", &straight2000::big, &straight2000::big_grad, &straight2000::big_jvp,
        &|x, y, w| { let (v, pb) = straight2000::big_vjp(x, y); (v, pb(w)) }, &|| (0..2000).collect());
    for k in 0..3 {
        let name = format!("branches200 k = {k}");
        // Block i runs statement 0 if k % 3 == i % 3, else statement 1.
        let taken = move || (0..200).map(|i| if k % 3 == i % 3 { 0 } else { 1 }).collect();
        scalar(&name, &|x, y| branches200::big(x, y, k), &|x, y| branches200::big_grad(x, y, k),
            &|x, y, dx, dy| branches200::big_jvp(x, y, k, dx, dy),
            &|x, y, w| { let (v, pb) = branches200::big_vjp(x, y, k); (v, pb(w)) }, &taken);
    }
    // The loop: the slice's gradient and the scalar's, against central differences.
    let x = vec![0.1, -0.2, 0.3];
    let y = 0.7;
    let (value, (gx, gy)) = loop1000::big_grad(&x, y);
    close(value, loop1000::big(&x, y), "loop1000 value");
    // Analytic: each iteration adds 0.01 c to a, then runs the 1 000 statements.
    let along = |dx: &[f64], dy: f64| {
        let mut s = [y, 0.5, dy, 0.0];
        for (c, dc) in x.iter().zip(dx) {
            s[0] += 0.01 * c;
            s[2] += 0.01 * dc;
            for i in 0..1000 {
                step(i, &mut s);
            }
        }
        s[2] + s[3]
    };
    for i in 0..x.len() {
        let mut e = vec![0.0; x.len()];
        e[i] = 1.0;
        same(gx[i], along(&e, 0.0), &format!("loop1000 analytic d/dx[{i}]"));
    }
    same(gy, along(&[0.0; 3], 1.0), "loop1000 analytic d/dy");
    for i in 0..x.len() {
        let at = |h: f64| { let mut x = x.clone(); x[i] += h; loop1000::big(&x, y) };
        close(gx[i], central(&at, 1e-5), &format!("loop1000 d/dx[{i}]"));
    }
    close(gy, central(&|h| loop1000::big(&x, y + h), 1e-5), "loop1000 d/dy");
    let (u, v, w) = (vec![0.5, -0.25, 1.0], 0.8, -1.4);
    let (_, jv) = loop1000::big_jvp(&x, y, u.clone(), v);
    let (_, pullback) = loop1000::big_vjp(&x, y);
    let (bx, by) = pullback(w);
    let dot: f64 = bx.iter().zip(&u).map(|(b, u)| b * u).sum();
    same(w * jv, dot + by * v, "loop1000 <w, J v> = <J^T w, v>");
    println!("loop1000: value {value:.6}, gradient {gx:?}, {gy:.6e}");
    println!("all checks passed");
}
"#;

#[test]
#[ignore = "builds a crate with cargo (about two minutes): cargo test --test long_functions -- --ignored"]
fn long_functions_build_in_debug_and_differentiate_correctly() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("long-functions");
    std::fs::create_dir_all(dir.join("src")).expect("create the crate's directory");
    let manifest = format!(
        "[package]\nname = \"long-functions\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\
         [dependencies]\ntapeless = {{ path = {:?} }}\n[workspace]\n",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("write Cargo.toml");
    let mut source = String::from("#![allow(unused)]\n");
    for (name, shape, n) in [
        ("straight400", "straight", 400),
        ("straight2000", "straight", 2000),
        ("loop1000", "loop", 1000),
        ("branches200", "branches", 200),
    ] {
        source.push_str(&module(name, shape, n));
    }
    source.push_str(MAIN);
    std::fs::write(dir.join("src/main.rs"), source).expect("write main.rs");
    // The debug profile, as `cargo build` and `cargo test` use it: where the crash was.
    let status = Command::new(env!("CARGO"))
        .args(["run", "--quiet"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .status()
        .expect("run cargo");
    assert!(status.success(), "the long functions did not build, or a check failed (see above)");
}
