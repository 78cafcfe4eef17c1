//! Shared checks for gradient tests: every generated derivative is compared against central
//! finite differences AND forward mode against reverse mode (`<u, J v>` by JVP equals
//! `<J^T u, v>` by VJP).
#![allow(dead_code, clippy::type_complexity)]

pub mod functions;
pub mod second_order;

use nalgebra::DMatrix;

/// A gradient (one `f64` or a tuple of them) as a vector.
pub trait Flat {
    fn flat(self) -> Vec<f64>;
}
impl Flat for f64 {
    fn flat(self) -> Vec<f64> {
        vec![self]
    }
}
impl Flat for (f64, f64) {
    fn flat(self) -> Vec<f64> {
        vec![self.0, self.1]
    }
}
impl Flat for (f64, f64, f64) {
    fn flat(self) -> Vec<f64> {
        vec![self.0, self.1, self.2]
    }
}
impl Flat for (f64, f64, f64, f64) {
    fn flat(self) -> Vec<f64> {
        vec![self.0, self.1, self.2, self.3]
    }
}

/// The four generated views of one scalar function of `n` variables, over slices.
pub struct Fns<'a> {
    pub name: &'a str,
    pub f: &'a dyn Fn(&[f64]) -> f64,
    pub jvp: &'a dyn Fn(&[f64], &[f64]) -> (f64, f64),
    pub vjp: &'a dyn Fn(&[f64], f64) -> (f64, Vec<f64>),
    pub grad: &'a dyn Fn(&[f64]) -> (f64, Vec<f64>),
}

/// Central difference of `f` along coordinate `i` with one Richardson extrapolation step
/// (error `O(h^4)`), step relative to the coordinate (at least 1e-5): accurate to about 1e-10 for smooth functions
/// of moderate scale, so a derivative off by 1e-7 relative is caught.
pub fn central(f: &dyn Fn(&[f64]) -> f64, x: &[f64], i: usize) -> f64 {
    let step = |h: f64| {
        let mut p = x.to_vec();
        p[i] = x[i] + h;
        let up = f(&p);
        p[i] = x[i] - h;
        let down = f(&p);
        (up - down) / (2.0 * h)
    };
    let h = 1e-3 * x[i].abs().max(1e-2);
    (4.0 * step(h / 2.0) - step(h)) / 3.0
}

/// Every coordinate's [`central`] difference: the gradient of `f` at `x`.
pub fn central_gradient(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    (0..x.len()).map(|i| central(&f, x, i)).collect()
}

/// Asserts `got` equals `want` entry by entry to `tol` relative (absolute near zero).
pub fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol * (1.0 + w.abs()), "{what}[{i}]: {g} against {w}");
    }
}

pub fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

/// Deterministic pseudo-random directions (no RNG dependency in the checks).
pub fn direction(n: usize, salt: u64) -> Vec<f64> {
    let mut s = salt.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 11) as f64 * 2f64.powi(-53)) * 2.0 - 1.0
        })
        .collect()
}

/// Checks values, the gradient against central differences (relative tolerance `fd_tol`), the
/// JVP along each axis against the gradient, and `<u, J v>` (JVP) against `<J^T u, v>` (VJP)
/// along a random direction, at every point.
pub fn check(fns: &Fns, points: &[&[f64]], fd_tol: f64) {
    assert!(points.len() >= 3, "{}: check at three points or more", fns.name);
    for (k, x) in points.iter().enumerate() {
        let n = x.len();
        let value = (fns.f)(x);
        let (gv, g) = (fns.grad)(x);
        assert_eq!(g.len(), n, "{}: gradient length", fns.name);
        assert!(close(gv, value, 1e-15), "{}: grad value {gv} != {value}", fns.name);
        for i in 0..n {
            let fd = central(fns.f, x, i);
            assert!(
                close(g[i], fd, fd_tol),
                "{} at {x:?}: d/dx{i} = {} but central differences give {fd}",
                fns.name,
                g[i]
            );
            let mut e = vec![0.0; n];
            e[i] = 1.0;
            let (jv, ji) = (fns.jvp)(x, &e);
            assert!(close(jv, value, 1e-15), "{}: jvp value", fns.name);
            assert!(
                close(ji, g[i], 1e-12),
                "{} at {x:?}: jvp along axis {i} = {ji}, gradient = {}",
                fns.name,
                g[i]
            );
        }
        let v = direction(n, k as u64 + 1);
        let u = 1.0 + direction(1, k as u64 + 100)[0];
        let (_, jv) = (fns.jvp)(x, &v);
        let (pv, jtu) = (fns.vjp)(x, u);
        assert!(close(pv, value, 1e-15), "{}: vjp value", fns.name);
        let lhs = u * jv;
        let rhs: f64 = jtu.iter().zip(&v).map(|(a, b)| a * b).sum();
        assert!(close(lhs, rhs, 1e-12), "{} at {x:?}: <u, Jv> = {lhs} but <J^T u, v> = {rhs}", fns.name);
    }
}

/// `dvector_fns!(f, f_jvp, f_vjp, f_grad)`: the [`Fns`] of a function `f(x: &DVector<f64>) ->
/// f64`, its points and tangents given as slices.
#[macro_export]
macro_rules! dvector_fns {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident) => {
        $crate::common::Fns {
            name: stringify!($f),
            f: &|x: &[f64]| $f(&nalgebra::DVector::from_column_slice(x)),
            jvp: &|x, t| {
                $jvp(&nalgebra::DVector::from_column_slice(x), nalgebra::DVector::from_column_slice(t))
            },
            vjp: &|x, u| {
                let point = nalgebra::DVector::from_column_slice(x);
                let (v, pullback) = $vjp(&point);
                (v, pullback(u).as_slice().to_vec())
            },
            grad: &|x| {
                let (v, g) = $grad(&nalgebra::DVector::from_column_slice(x));
                (v, g.as_slice().to_vec())
            },
        }
    };
}

/// `slice_fns!(f, f_jvp, f_vjp, grad)`: the [`Fns`] of a function `f(x: &[f64]) -> f64` from its
/// generated items (`grad` an expression: `f_grad`, or a closure that also checks it).
#[macro_export]
macro_rules! slice_fns {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:expr) => {
        $crate::common::Fns {
            name: stringify!($f),
            f: &$f,
            jvp: &|x, t| $jvp(x, t.to_vec()),
            vjp: &|x, u| {
                let (v, pullback) = $vjp(x);
                (v, pullback(u))
            },
            grad: &$grad,
        }
    };
}

/// `method_fns!(value, f, f_jvp, f_vjp, f_grad)`: the [`Fns`] of a method `value.f(x: &[f64]) ->
/// f64` from its generated methods.
#[macro_export]
macro_rules! method_fns {
    ($value:expr, $f:ident, $jvp:ident, $vjp:ident, $grad:ident) => {
        $crate::common::Fns {
            name: stringify!($f),
            f: &|x| $value.$f(x),
            jvp: &|x, t| $value.$jvp(x, t.to_vec()),
            vjp: &|x, u| {
                let (v, pullback) = $value.$vjp(x);
                (v, pullback(u))
            },
            grad: &|x| $value.$grad(x),
        }
    };
}

/// `slice_fns_with!(f, f_jvp, f_vjp, f_grad; a, b)`: the [`Fns`] of a function `f(x: &[f64], a, b) -> f64` whose other
/// arguments are constants, through its generated `f_jvp`, `f_vjp` and `f_grad`.
#[macro_export]
macro_rules! slice_fns_with {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident; $($arg:expr),+) => {
        $crate::common::Fns {
            name: stringify!($f),
            f: &|x: &[f64]| $f(x, $($arg),+),
            jvp: &|x, t| $jvp(x, $($arg,)+ t.to_vec()),
            vjp: &|x, u| {
                let (v, pullback) = $vjp(x, $($arg),+);
                (v, pullback(u))
            },
            grad: &|x| $grad(x, $($arg),+),
        }
    };
}

/// `check_fn!(module, arity, points)`: runs [`check`] on `module::f` and its generated
/// `f_jvp`, `f_vjp`, `f_grad`, for a function of 1 to 4 `f64` parameters.
#[macro_export]
macro_rules! check_fn {
    ($m:ident, 1, $points:expr) => { $crate::check_fn!(@go $m, $points, [a], [da]) };
    ($m:ident, 2, $points:expr) => { $crate::check_fn!(@go $m, $points, [a, b], [da, db]) };
    ($m:ident, 3, $points:expr) => { $crate::check_fn!(@go $m, $points, [a, b, c], [da, db, dc]) };
    ($m:ident, 4, $points:expr) => { $crate::check_fn!(@go $m, $points, [a, b, c, d], [da, db, dc, dd]) };
    (@go $m:ident, $points:expr, [$($a:ident),+], [$($d:ident),+]) => {{
        use $crate::common::Flat;
        let fns = $crate::common::Fns {
            name: stringify!($m),
            f: &|x: &[f64]| { let &[$($a),+] = x else { unreachable!() }; $m::f($($a),+) },
            jvp: &|x: &[f64], t: &[f64]| {
                let &[$($a),+] = x else { unreachable!() };
                let &[$($d),+] = t else { unreachable!() };
                $m::f_jvp($($a,)+ $($d),+)
            },
            vjp: &|x: &[f64], u: f64| {
                let &[$($a),+] = x else { unreachable!() };
                let (value, pullback) = $m::f_vjp($($a),+);
                (value, pullback(u).flat())
            },
            grad: &|x: &[f64]| {
                let &[$($a),+] = x else { unreachable!() };
                let (value, g) = $m::f_grad($($a),+);
                (value, g.flat())
            },
        };
        $crate::common::check(&fns, $points, 1e-9);
    }};
}

/// The [`Fns`] of a function of two floats and its generated items:
/// `fns_of_two!(f, f_jvp, f_vjp, f_grad)`.
#[macro_export]
macro_rules! fns_of_two {
    ($f:path, $jvp:path, $vjp:path, $grad:path) => {
        $crate::common::Fns {
            name: stringify!($f),
            f: &|p| $f(p[0], p[1]),
            jvp: &|p, v| $jvp(p[0], p[1], v[0], v[1]),
            vjp: &|p, ct| {
                let (value, pullback) = $vjp(p[0], p[1]);
                let (a, b) = pullback(ct);
                (value, vec![a, b])
            },
            grad: &|p| {
                let (value, (a, b)) = $grad(p[0], p[1]);
                (value, vec![a, b])
            },
        }
    };
}

/// Checks `j` (m x n) against `exact`, and against central differences of `f` (inputs and
/// outputs flattened).
pub fn check_jacobian(
    name: &str,
    j: &DMatrix<f64>,
    exact: &DMatrix<f64>,
    f: &dyn Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
) {
    assert_eq!(j.shape(), exact.shape(), "{name}: shape");
    for r in 0..j.nrows() {
        for c in 0..j.ncols() {
            assert!(
                close(j[(r, c)], exact[(r, c)], 1e-12),
                "{name}: J[{r},{c}] = {} vs analytic {}",
                j[(r, c)],
                exact[(r, c)]
            );
        }
    }
    jacobian_central(name, j, f, x);
}

/// Checks every column of `j` against central differences of `f` (inputs and outputs
/// flattened).
pub fn jacobian_central(name: &str, j: &DMatrix<f64>, f: &dyn Fn(&[f64]) -> Vec<f64>, x: &[f64]) {
    for c in 0..x.len() {
        let h = 1e-6 * x[c].abs().max(1.0);
        let at = |d: f64| {
            let mut p = x.to_vec();
            p[c] += d;
            f(&p)
        };
        let (up, down) = (at(h), at(-h));
        for r in 0..j.nrows() {
            let fd = (up[r] - down[r]) / (2.0 * h);
            assert!(
                close(j[(r, c)], fd, 1e-6),
                "{name}: J[{r},{c}] = {} vs central differences {fd}",
                j[(r, c)]
            );
        }
    }
}

/// Checks `grad` (the gradient with respect to `x` alone) against central differences of `f`,
/// and `jvp` along a pseudo-random direction against it (forward against reverse).
pub fn check_wrt_x(
    name: &str,
    f: &dyn Fn(&[f64]) -> f64,
    grad: &dyn Fn(&[f64]) -> Vec<f64>,
    jvp: &dyn Fn(&[f64], Vec<f64>) -> f64,
    x: &[f64],
) {
    let g = grad(x);
    assert_eq!(g.len(), x.len(), "{name}: gradient length");
    for (i, gi) in g.iter().enumerate() {
        let fd = central(f, x, i);
        assert!(close(*gi, fd, 1e-8), "{name}: d/dx{i} = {gi} vs {fd}");
    }
    let v = direction(x.len(), 7);
    let jv = jvp(x, v.clone());
    let r: f64 = g.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!(close(jv, r, 1e-12), "{name}: {jv} vs {r}");
}

/// The pullback of `_vjp` applied to `ct` is `ct` times the gradient of `_grad`.
pub fn check_pullback(name: &str, grad: &[f64], ct: f64, from_pullback: &[f64]) {
    assert_eq!(grad.len(), from_pullback.len(), "{name}: lengths");
    for (a, b) in grad.iter().zip(from_pullback) {
        assert!(close(ct * a, *b, 1e-14), "{name}: pullback({ct}) {b} vs {ct} x grad {a}");
    }
}

/// Checks a gradient `g` of `f` at `x` (flattened) against central differences, relative
/// tolerance `tol`.
pub fn gradient_central(name: &str, f: &dyn Fn(&[f64]) -> f64, x: &[f64], g: &[f64], tol: f64) {
    assert_eq!(g.len(), x.len(), "{name}: gradient length");
    for (i, gi) in g.iter().enumerate() {
        let fd = central(f, x, i);
        assert!(close(*gi, fd, tol), "{name}: d/dx{i} = {gi} against central differences {fd}");
    }
}

/// `<u, J v>` from a JVP's tangent `jvp` (along `v`) against `<Jᵀu, v>` from a pullback's
/// result `g_u` (for the cotangent `u`), both flattened, relative tolerance `tol`.
pub fn forward_against_reverse(name: &str, jvp: f64, v: &[f64], u: f64, g_u: &[f64], tol: f64) {
    assert_eq!(g_u.len(), v.len(), "{name}: lengths");
    let lhs = u * jvp;
    let rhs: f64 = g_u.iter().zip(v).map(|(a, b)| a * b).sum();
    assert!(close(lhs, rhs, tol), "{name}: <u, J v> = {lhs}, <J^T u, v> = {rhs}");
}

/// Asserts a Hessian equals `want(i, j)` (relative `tol`) and the central differences of the
/// gradient function `grad` at `x` (1e-7 relative).
pub fn hessian_against(
    name: &str,
    h: &DMatrix<f64>,
    want: &dyn Fn(usize, usize) -> f64,
    grad: &dyn Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
    tol: f64,
) {
    let n = x.len();
    assert_eq!((h.nrows(), h.ncols()), (n, n), "{name}: Hessian shape");
    for i in 0..n {
        for j in 0..n {
            let w = want(i, j);
            assert!(close(h[(i, j)], w, tol), "{name} at {x:?}: H[{i},{j}] = {} against {w}", h[(i, j)]);
            let fd = central(&|q: &[f64]| grad(q)[i], x, j);
            assert!(
                close(h[(i, j)], fd, 1e-7),
                "{name} at {x:?}: H[{i},{j}] = {} against central {fd}",
                h[(i, j)]
            );
        }
    }
}
