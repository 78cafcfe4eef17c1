//! Never miscompile: random valid differentiable functions are written into a generated crate,
//! compiled once in a batch, and every generated `_grad` and `_jvp` is checked against central
//! differences and forward mode against reverse mode at random points (and the `_jacobian` of
//! every function without `hessian` against the gradient). A third of the functions leave `y` or
//! the slice `v` out of `wrt(..)`, so constants run through the same constructs.
//!
//! `cargo test` checks 40 functions. The long run:
//! `TAPELESS_DIFFERENTIAL=500 cargo test --release --test differential -- --nocapture`
//! (`TAPELESS_DIFFERENTIAL_SEED=n` draws other functions).
//! Failures it ever found are kept as fixed regression tests in tests/loops.rs and
//! tests/edge_values.rs.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

/// A tiny deterministic generator (the LCG of shared/bench-functions.md).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 * 2f64.powi(-53)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() * n as f64) as usize % n
    }
}

/// A random smooth expression over `x`, `y` (f64), `v` (a slice of 4), `n` (usize, 3) and a
/// scratch array `w` (a `Vec` of 4, written in place).
/// Every operation stays in its domain for inputs in [-1, 1] (logs and roots of positive
/// arguments, bounded exponents). `straight`: not inside a loop or branch, where `DVector` and
/// `DMatrix` values may be computed.
///
/// `generic`: the expression is for a function generic over `T: Float` (written with `f64`
/// literals that `generic_source` rewrites), so no nalgebra forms.
fn expr(r: &mut Lcg, depth: usize, straight: bool, generic: bool) -> String {
    if depth == 0 || r.next() < 0.2 {
        return match r.below(6) {
            0 => "x".into(),
            1 => "y".into(),
            2 => format!("v[{}]", r.below(4)),
            3 => format!("{:.2}_f64", r.next() * 2.0 - 1.0),
            4 => "(x * y)".into(),
            _ => "v[n]".into(),
        };
    }
    let straight = straight && !generic;
    let mut form = r.below(if straight { 55 } else { 30 });
    // The forms after the straight-line ones (38 to 53 are straight-line too; 54 is not).
    if !straight && form == 29 {
        form = 54;
    } else if !straight && form >= 24 {
        form += 9;
    }
    // nalgebra is not generic here.
    if generic && (21..=23).contains(&form) {
        form -= 21;
    }
    // Operands of loops and branches are inside them.
    let inner = straight && !(12..=18).contains(&form) && !(30..=49).contains(&form) && form != 54;
    let a = expr(r, depth - 1, inner, generic);
    let b = expr(r, depth - 1, inner, generic);
    match form {
        0 => format!("({a} + {b})"),
        1 => format!("({a} - {b})"),
        2 => format!("({a} * {b})"),
        3 => format!("({a} / (1.5 + {b}.tanh()))"),
        4 => format!("{a}.sin()"),
        5 => format!("({a}.tanh() * 0.5).exp()"),
        6 => format!("({a} * {a} + 1.0).ln()"),
        7 => format!("({a} * {a} + 0.5).sqrt()"),
        8 => format!("{a}.atan2(2.0 + {b}.cos())"),
        9 => format!("({a}).powi(3)"),
        10 => format!("{a}.hypot(1.0 + {b} * {b})"),
        11 => format!("{{ let t = {a}; t * t - {b} }}"),
        12 => format!("if n > 2 {{ {a} }} else {{ {b} }}"),
        13 => format!("{{ let mut s = 0.0; for i in 0..v.len() {{ s += v[i] * {a}; }} s }}"),
        14 => format!("{{ let mut s = {a}; for _ in 0..n {{ s = (0.5 * s + {b}).sin(); }} s }}"),
        15 => format!("{{ for i in 0..4 {{ w[i] = v[i] * {a}; }} w.iter().sum::<f64>() + {b} }}"),
        16 => format!(
            "{{ let mut s = {a}; let mut k = 0; while k < n {{ s = (s * 0.5 + {b}).tanh(); k += 1; }} s }}"
        ),
        17 => format!(
            "{{ let mut s = 0.0; for i in 0..4 {{ if i == n {{ break; }} if i == 1 {{ continue; }} s += v[i] * {a}; }} s + {b} }}"
        ),
        18 => format!("{{ let mut s = 0.0; for i in (0..4).rev() {{ s = s * 0.5 + v[i] * {a}; }} s * {b} }}"),
        19 => format!("helper({a}, {b})"),
        21 => format!(
            "nalgebra::Vector3::new({a}, x, v[2]).cross(&nalgebra::Vector3::new(y, {b}, 0.5_f64)).dot(&nalgebra::Vector3::new(0.3_f64, -0.2, 0.7))"
        ),
        22 => format!(
            "((nalgebra::Matrix2::new({a}, 0.5_f64, y, 1.5) * nalgebra::Vector2::new(x, {b})).normalize().dot(&nalgebra::Vector2::new(v[0], 1.0)) + nalgebra::Vector2::new({a}, y).norm())"
        ),
        23 => format!(
            "(nalgebra::Matrix2::new({a}, x, v[1], {b}) * nalgebra::Vector2::new(y, 0.5_f64))[1] * nalgebra::Vector3::new(x, {b}, y)[2]"
        ),
        // Dynamically sized nalgebra values, only in straight-line code.
        24 => format!(
            "nalgebra::DVector::from_element(3, {a}).component_mul(&nalgebra::DVector::from_element(3, {b})).map(|e| (e * 0.5).sin()).sum()"
        ),
        25 => format!(
            "{{ let m = nalgebra::DMatrix::from_element(2, 3, {a}) * 0.5 + nalgebra::DMatrix::from_element(2, 3, y); let c = m.column(1); (m.transpose() * &c).norm() + m[(1, 2)] * {b} }}"
        ),
        26 => format!(
            "{{ let d = nalgebra::DVector::from_element(4, {a}) + nalgebra::DVector::from_element(4, x) * y; let mut s = 0.0; for i in 0..4 {{ s += d[i] * v[i]; }} s + (d.dot(&d) + 0.5).sqrt() * {b} }}"
        ),
        27 => format!(
            "{{ let p = nalgebra::DVector::from_element(2, {a}) * nalgebra::DVector::from_element(3, {b}).transpose(); p.row(1).sum() + p.sum() * x - p.add_scalar(y).norm_squared() / 8.0 }}"
        ),
        29 => format!(
            "{{ let e = nalgebra::DVector::from_element(3, {a}); let d: nalgebra::DVector<f64> = helper_vec(&e, {b}); helper_norm(d.clone()) + d[1] * e[2] }}"
        ),
        28 => format!(
            "(nalgebra::DVector::from_element(3, {a}) * nalgebra::DMatrix::from_element(1, 2, {b})).sum() * x"
        ),
        // Reads at indices an inner loop does not change (`v[i]`, `v[n]`), also read by the
        // outer loop: their adjoints are summed in registers (`Reverse::hoist_loads`).
        30 => format!(
            "{{ let mut s = 0.0; for i in 0..4 {{ s += v[n] * 0.25; for j in 0..i {{ s += v[i] * v[j] * {a} + (v[n] * {b}).sin(); }} }} s }}"
        ),
        // An array written once per element and only summed (`emit::summed_arrays`).
        31 => format!(
            "{{ let k = 4; let mut mm = vec![0.25; 3 * k + 1]; for i in 0..3 {{ for j in 0..k {{ mm[i * k + j] = v[j] * {a}; }} }} let mut s = {b}; for e in mm.iter() {{ s += e; }} s }}"
        ),
        32 => format!(
            "{{ let k = 2; let mut mm = vec![0.0; 4 * k]; for i in 0..4 {{ for j in 0..k {{ mm[i * k + j] = (v[i] * {a}).sin() * {b}; }} }} mm.iter().sum::<f64>() }}"
        ),
        // Issue 13's forms: windows and chunks, local closures, `match`, `for_each`, `collect`.
        33 => format!("(v.windows(2).map(|p| (p[1] - p[0]) * {a}).sum::<f64>() + {b})"),
        34 => format!("(v.chunks(3).map(|p| p[0] * {a} + p[p.len() - 1]).sum::<f64>() * {b})"),
        35 => format!(
            "({{ let k = {a}; let sq = |t: f64| t * t * k; v.iter().map(|&e| sq(e)).sum::<f64>() + sq({b}) }})"
        ),
        36 => format!("(match n {{ 0 => {a}, 1 | 2 => ({a}) * ({b}), _ => ({b}).sin() }})"),
        37 => format!("({{ let mut s = {b}; v.iter().for_each(|&e| {{ s = s + e * {a}; }}); s }})"),
        // A `Vec` is created at the top level only.
        38 => format!(
            "({{ let k = {a}; let c2: Vec<f64> = v.iter().map(|e| *e * k).collect(); c2[0] * {b} + c2[3] }})"
        ),
        // An array rewritten in each iteration with values that change between iterations, read
        // by an inner loop and by a chain in the same iteration: the backward sweep must read each
        // iteration's contents (it once read the last iteration's).
        39 => format!(
            "{{ let mut s = {a}; let mut d = [0.0; 2]; for i in 0..4 {{ d[0] = v[i] * s; d[1] = (s + v[i]).sin(); let mut q = 0.0; for k in 0..2 {{ q += d[k] * d[k]; }} s = 0.5 * s + 0.1 * q + 0.1 * d.iter().map(|c| c * v[i]).sum::<f64>(); }} s * {b} }}"
        ),
        // An array literal of floats inside a loop (made once at the top, written per iteration).
        40 => format!(
            "{{ let mut s = {b}; for i in 0..4 {{ let d = [v[i] * {a}, (v[i] + x).sin() * s]; s = s * 0.5 + d.iter().map(|c| c * c).sum::<f64>() * 0.25; }} s }}"
        ),
        // A state copied at the start of each step (`let prev = st.clone();` inside the loop).
        41 => format!(
            "{{ let mut st = vec![0.25; 3]; let mut s = {b}; for i in 0..4 {{ let prev = st.clone(); for k in 0..3 {{ st[k] = (prev[k] * 0.5 + prev[(k + 1) % 3] * v[i] * {a}).tanh(); }} s += st[0] * st[2]; }} s }}"
        ),
        // A `[0.0; 2]` made inside a loop, accumulated by an inner loop.
        42 => format!(
            "{{ let mut s = {b}; for i in 0..4 {{ let mut f = [0.0; 2]; for j in 0..4 {{ f[j % 2] += (v[i] - v[j] * {a}).tanh(); }} s = s * 0.5 + f[0] * f[1]; }} s }}"
        ),
        // A window read inside a chain nested in the window's body: the window's start must be
        // the outer chain's index, not the inner one's (it once was the inner one's).
        43 => format!(
            "(v.windows(2).map(|p| p[0] * v.iter().map(|e| e * p[1]).sum::<f64>()).sum::<f64>() * {a} + {b})"
        ),
        // Writes through `iter_mut()` (zipped, and with a method read of the element) and a `for`
        // loop over windows (named `win`: a `w` would shadow the local array form 15 writes).
        44 => format!(
            "{{ let mut o = v.to_vec(); for (e, &p) in o.iter_mut().zip(v.iter().skip(1)) {{ *e = *e * p + {a}; }} for e in o.iter_mut() {{ *e += e.sin() * {b}; }} o[0] * o[2] + o[1] }}"
        ),
        45 => format!(
            "{{ let mut s = {b}; for win in v.windows(3) {{ s = s * 0.5 + win[0] * win[2] * {a} + win.iter().sum::<f64>(); }} s }}"
        ),
        // A closure taking an array by value, called in a loop.
        46 => format!(
            "{{ let rate = {a}; let f = |q: [f64; 2]| [q[1] * rate, q[0].sin()]; let mut st = [x, y]; for _ in 0..3 {{ let k = f(st); st[0] += 0.1 * k[0]; st[1] += 0.1 * k[1]; }} st[0] * {b} + st[1] }}"
        ),
        // `chain`, and a borrow of a local passed on.
        47 => format!(
            "{{ let factor = {a}; let chained: Vec<f64> = v.iter().chain(v[1..].iter()).map(|e| e * factor).collect(); let seen = &chained; helper_slice(seen, {b}) + seen[4] }}"
        ),
        // Sub-slices taken as values, and a `fold` closure dereferencing its element.
        48 => format!(
            "{{ let tail = &v[1..]; let (head, _) = v.split_at(2); helper_slice(tail, {a}) * head[1] + helper_slice(&v[..3], {b}) + v.iter().fold(0.0, |s, e| s + *e * *e) }}"
        ),
        // An array from `std::array::from_fn`.
        49 => format!(
            "{{ let made: [f64; 3] = std::array::from_fn(|k| v[k] * {a} + {b}); made[0] * made[2] + made[1] }}"
        ),
        // Parts of nalgebra values, static and dynamic, and a smooth rule added by a row.
        50 => format!(
            "{{ let (p, q) = ({a}, {b}); let m = nalgebra::Matrix3::new(p, x, y, q, 0.5, x * y, y, p, 1.5); m.fixed_rows::<2>(1).sum() * x + m.fixed_columns::<2>(1).norm() + m.fixed_view::<2, 2>(0, 1).norm_squared() * 0.1 + p.midpoint(q) }}"
        ),
        51 => format!(
            "{{ let m = nalgebra::DMatrix::from_element(3, 3, {a}) + nalgebra::DMatrix::from_element(3, 3, y); m.columns(0, 2).norm_squared() * 0.1 + m.rows(1, 2).sum() * {b} + m.column(2).norm() }}"
        ),
        // Iterator adaptors composed (each index written around the one it is given).
        52 => format!(
            "{{ let c = {a}; v.iter().rev().skip(1).step_by(2).map(|e| e * c).sum::<f64>() + v.iter().step_by(2).skip(1).rev().map(|e| e * e).sum::<f64>() * {b} }}"
        ),
        // A filter on constants, then maps on the elements it keeps.
        53 => format!(
            "{{ let c = {a}; v.iter().enumerate().filter(|(i, _)| i % 2 == 0).map(|(_, e)| e * c).map(|t| t * t).sum::<f64>() + {b} }}"
        ),
        // Accumulators feeding each other (the new `s` read by `acc`'s term): the backward loop
        // must run backward (it once ran forward, `order_free`).
        54 => format!(
            "{{ let (mut s, mut acc) = ({b}, 0.0); for i in 0..4 {{ s += v[i] * {a}; acc += s; }} acc }}"
        ),
        _ => format!("helper_slice(v, {a})"),
    }
}

/// An expression of `expr(.., generic = true)` for a function generic over `T`: literals through
/// `c(..)` (`T::from_f64(..).unwrap()`), `f64` types as `T`, the generic helpers.
fn generic_source(e: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = e.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_number =
            c.is_ascii_digit() && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'));
        if starts_number {
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || (chars[j] == '.' && chars.get(j + 1).is_some_and(char::is_ascii_digit)))
            {
                j += 1;
            }
            let number: String = chars[i..j].iter().collect();
            let float = number.contains('.') || chars[j..].starts_with(&['_', 'f', '6', '4']);
            if chars[j..].starts_with(&['_', 'f', '6', '4']) {
                j += 4;
            }
            out.push_str(&if float { format!("c({number})") } else { number });
            i = j;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out.replace("f64", "T")
        .replace("helper(", "helper_g(")
        .replace("helper_slice(", "helper_slice_g(")
        .replace(".iter().sum::<T>()", ".iter().copied().sum::<T>()")
}

/// Whether function `k` is `hessian`: every third (`f64`) and every sixth (generic).
fn second_order_of(k: usize) -> bool {
    k.is_multiple_of(3) || k % 6 == 5
}

/// The checks of a `hessian` function `f{k}` in `main`: `_hvp` along `d` against central
/// differences of `_grad` along `d`, its value and gradient against `_grad`'s, and
/// `<u, H d> = <d, H u>` (the Hessian is symmetric).
fn second_order(k: usize, n: usize) -> String {
    format!(
        r#"
        let grad = |q: &[f64]| {{
            let (_, (gx, gy, gv)) = f{k}_grad(q[0], q[1], &q[2..], {n});
            [gx, gy, gv[0], gv[1], gv[2], gv[3]]
        }};
        let hvp = |dir: &[f64]| {{
            let (value, (gx, gy, gv), (hx, hy, hv)) =
                f{k}_hvp(p[0], p[1], &p[2..], {n}, dir[0], dir[1], dir[2..].to_vec());
            (value, [gx, gy, gv[0], gv[1], gv[2], gv[3]], [hx, hy, hv[0], hv[1], hv[2], hv[3]])
        }};
        let (hvalue, hg, hd) = hvp(&d);
        let mut ok2 = hvalue == value && hg == g;
        for i in 0..6 {{
            ok2 &= [1e-4, 1e-5, 1e-6].iter().any(|h| {{
                let at = |s: f64| {{
                    let q: Vec<f64> = p.iter().zip(&d).map(|(a, b)| a + s * b).collect();
                    grad(&q)[i]
                }};
                let fd = (4.0 * (at(h / 2.0) - at(-h / 2.0)) / h - (at(*h) - at(-h)) / (2.0 * h)) / 3.0;
                close(hd[i], fd)
            }});
        }}
        let u = [0.3, -0.7, 0.2, 0.9, -0.4, 0.6];
        let (_, _, hu) = hvp(&u);
        let (a, b): (f64, f64) = (u.iter().zip(&hd).map(|(x, y)| x * y).sum(), d.iter().zip(&hu).map(|(x, y)| x * y).sum());
        ok2 &= (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
        if !ok2 {{
            failures += 1;
            println!("MISMATCH f{k} second order at {{p:?}}: H d {{hd:?}}, <u, H d> {{a}}, <d, H u> {{b}}");
        }}"#
    )
}

/// The generated crate: `count` functions and a `main` that checks them all.
fn generate(count: usize, seed: u64) -> String {
    let mut r = Lcg(seed);
    let mut src = String::from(
        "#![allow(unused, clippy::all)]\nuse tapeless::differentiable;\n\nfn close(a: f64, b: f64) -> bool {\n    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)\n}\n\n\
         #[differentiable(hessian)]\nfn helper(a: f64, b: f64) -> f64 {\n    (a * b).sin() + a\n}\n\n\
         #[differentiable]\nfn helper_vec(v: &nalgebra::DVector<f64>, s: f64) -> nalgebra::DVector<f64> {\n    v.map(|e| e.sin()) * s + v\n}\n\n\
         #[differentiable]\nfn helper_norm(v: nalgebra::DVector<f64>) -> f64 {\n    (v.norm_squared() + 0.5).sqrt()\n}\n\n\
         #[differentiable(hessian, wrt(v, s))]\nfn helper_slice(v: &[f64], s: f64) -> f64 {\n    let mut t = 0.0;\n    for e in v.iter() {\n        t += (e * s).tanh();\n    }\n    t\n}\n\n\
         use num_traits::{Float, FromPrimitive, NumAssign};\nuse std::iter::Sum;\n\n\
         #[differentiable]\nfn helper_g<T: Float>(a: T, b: T) -> T {\n    (a * b).sin() + a\n}\n\n\
         #[differentiable(wrt(v, s))]\nfn helper_slice_g<T: Float + Sum>(v: &[T], s: T) -> T {\n    v.iter().map(|e| (*e * s).tanh()).sum()\n}\n\n",
    );
    for k in 0..count {
        // Every third function is generic over `T: Float`, called at `f64`; every third is
        // `hessian` (no nalgebra: `generic`'s restrictions; its calls compose through the
        // helpers' own `hessian`), and so is every other generic one (its `_grad` runs at
        // `Dual<f64>`, calling the generic helpers there).
        let generic = k % 3 == 2;
        let hessian = k % 3 == 0;
        let generic_hessian = second_order_of(k) && generic;
        // After an early return the rest of the body is guarded (a branch).
        let e = expr(&mut r, 4, k % 2 == 0, generic || hessian);
        // Half the functions may return early (n is 3 at the checked points).
        let early = if k % 2 == 1 {
            format!(
                "if n == 3 {{\n        return {};\n    }}\n    ",
                expr(&mut r, 3, false, generic || hessian)
            )
        } else {
            String::new()
        };
        let body = format!(
            "let n = n % 4;\n    let mut w = vec![0.0; 4];\n    {early}({e}) + 0.125 * (x - y + v[1])"
        );
        if generic {
            let _ = writeln!(
                src,
                "#[differentiable({}wrt(x, y, v))]\nfn f{k}<T>(x: T, y: T, v: &[T], n: usize) -> T\nwhere\n    T: Float + FromPrimitive + Sum + NumAssign,\n{{\n    let c = |z: f64| T::from_f64(z).unwrap();\n    {}\n}}\n",
                if generic_hessian {
                    "hessian, "
                } else if jacobian_of(k) {
                    "jacobian, "
                } else {
                    ""
                },
                generic_source(&body)
            );
        } else {
            let hessian = if hessian { "hessian, " } else { "" };
            let jacobian = if jacobian_of(k) { "jacobian, " } else { "" };
            let wrt = differentiated(k).0;
            let _ = writeln!(
                src,
                "#[differentiable({hessian}{jacobian}wrt({wrt}))]\nfn f{k}(x: f64, y: f64, v: &[f64], n: usize) -> f64 {{\n    {body}\n}}\n"
            );
        }
    }
    src.push_str("fn main() {\n    let mut failures = 0;\n");
    for k in 0..count {
        // Away from zero: a norm or `normalize` of a vector built from `y` alone
        // (`Vector2::new(y, y).norm()`) is not differentiable at `y = 0`. Seed 52 drew
        // y = 0.000 there and got a NaN gradient, which is the right answer at that point.
        let point: Vec<String> = (0..6)
            .map(|_| {
                let c = r.next() * 2.0 - 1.0;
                format!("{:.3}", if c.abs() < 0.01 { 0.01_f64.copysign(c) } else { c })
            })
            .collect();
        let dir: Vec<String> = (0..6).map(|_| format!("{:.3}", r.next() * 2.0 - 1.0)).collect();
        // A parameter outside `wrt(..)` has no gradient or tangent; its columns are left out.
        let (_, pattern, missing, tangents, _) = differentiated(k);
        let n = (k * 7) % 5;
        let grad_call =
            format!("let (value, {pattern}) = f{k}_grad(p[0], p[1], &p[2..], {n});\n        {missing}");
        let jvp_call = format!("let (_, t) = f{k}_jvp(p[0], p[1], &p[2..], {n}, {tangents});");
        let _ = writeln!(
            src,
            r#"    {{
        let p = [{p}];
        let d = [{d}];
        let f = |q: &[f64]| f{k}(q[0], q[1], &q[2..], {n});
        {grad}
        let g = [gx, gy, gv[0], gv[1], gv[2], gv[3]];
        let mut ok = close(value, f(&p));
        for i in {checked} {{
            // Near a steep point (a norm of a nearly zero vector) the first step is too coarse:
            // a correct derivative agrees with one of three ever finer ones.
            ok &= [1e-4, 1e-5, 1e-6].iter().any(|scale| {{
                let h = scale * p[i].abs().max(1e-1);
                let mut up = p; up[i] += h;
                let mut down = p; down[i] -= h;
                let mut up2 = p; up2[i] += h / 2.0;
                let mut down2 = p; down2[i] -= h / 2.0;
                let fd = (4.0 * (f(&up2) - f(&down2)) / h - (f(&up) - f(&down)) / (2.0 * h)) / 3.0;
                close(g[i], fd)
            }});
        }}
        {jvp}
        let r: f64 = g.iter().zip(&d).enumerate().filter(|(i, _)| {checked}.contains(i)).map(|(_, (a, b))| a * b).sum();
        ok &= (t - r).abs() <= 1e-10 * t.abs().max(r.abs()).max(1.0);
        if !ok {{
            failures += 1;
            println!("MISMATCH f{k} at {{p:?}}: grad {{g:?}}, jvp {{t}}, <g, d> {{r}}");
        }}{second}{jacobian}
    }}"#,
            p = point.join(", "),
            d = dir.join(", "),
            n = (k * 7) % 5,
            // `y` outside `wrt(..)`: no gradient or tangent for it, and its column is left out.
            grad = grad_call,
            jvp = jvp_call,
            checked = differentiated(k).4,
            second = if second_order_of(k) { second_order(k, (k * 7) % 5) } else { String::new() },
            jacobian = if jacobian_of(k) { jacobian_check(k, (k * 7) % 5) } else { String::new() },
        );
    }
    let _ = writeln!(
        src,
        "    println!(\"checked {count} functions, {{failures}} mismatches\");\n    std::process::exit(if failures == 0 {{ 0 }} else {{ 1 }});\n}}"
    );
    src
}

/// What `f{k}` differentiates: all of `x, y, v`, or (every sixth function, neither generic nor
/// `hessian`) `x, v` with `y` a constant, or (another sixth) `x, y` with the slice `v` a
/// constant, which the body passes to helpers, indexes, maps and collects like the others. As
/// the attribute's list, the gradient's pattern, the declarations of the missing parts, the
/// JVP's tangent arguments and the indices of the six inputs that are checked.
fn differentiated(k: usize) -> (&'static str, &'static str, &'static str, &'static str, &'static str) {
    match k % 6 {
        4 => ("x, v", "(gx, gv)", "let gy = 0.0;", "d[0], d[2..].to_vec()", "[0, 2, 3, 4, 5]"),
        1 => ("x, y", "(gx, gy)", "let gv = [0.0; 4];", "d[0], d[1]", "[0, 1]"),
        _ => ("x, y, v", "(gx, gy, gv)", "", "d[0], d[1], d[2..].to_vec()", "[0, 1, 2, 3, 4, 5]"),
    }
}

/// The functions without `hessian` also have `jacobian`: every third (not generic) and every
/// sixth (generic, its Jacobian at `f64`).
fn jacobian_of(k: usize) -> bool {
    !second_order_of(k)
}

/// `f{k}_jacobian` (one row of six: forward mode in lanes when the body allows it, else reverse
/// mode) against the gradient `g` and the value.
fn jacobian_check(k: usize, n: usize) -> String {
    let columns = differentiated(k).4;
    format!(
        r#"
        let (jv, j) = f{k}_jacobian(p[0], p[1], &p[2..], {n});
        let columns = {columns};
        let mut ok = jv == value && j.shape() == (1, columns.len());
        for (c, i) in columns.into_iter().enumerate() {{
            ok &= (j[(0, c)] - g[i]).abs() <= 1e-10 * g[i].abs().max(1.0);
        }}
        if !ok {{
            failures += 1;
            println!("MISMATCH f{k}_jacobian at {{p:?}}: {{j:?}} vs grad {{g:?}}");
        }}"#
    )
}

#[test]
fn random_functions_match_finite_differences_and_each_other() {
    let count: usize = std::env::var("TAPELESS_DIFFERENTIAL").ok().and_then(|s| s.parse().ok()).unwrap_or(40);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target").join("differential");
    std::fs::create_dir_all(dir.join("src")).expect("create the generated crate");
    let manifest = format!(
        "[package]\nname = \"differential\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\ntapeless = {{ path = {:?} }}\nnalgebra = \"0.35\"\nnum-traits = \"0.2\"\n\n[workspace]\n",
        root.display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("write Cargo.toml");
    let seed: u64 =
        std::env::var("TAPELESS_DIFFERENTIAL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261122);
    std::fs::write(dir.join("src").join("main.rs"), generate(count, seed)).expect("write main.rs");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["run", "--quiet", "--offline"])
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target").join("differential-target"))
        .output()
        .expect("run cargo on the generated crate");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "generated functions failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(&format!("checked {count} functions, 0 mismatches")), "{stdout}");
}
