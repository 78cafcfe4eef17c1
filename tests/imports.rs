//! Differentiable functions called by a name a `use` brought into scope: from another module of
//! the file (`use super::physics::deep::pull;`), under another name (`spring as spr`), in a
//! group, and from another file (`use crate::oscillators::wobble;`), generic ones included. The
//! generated code calls each one's `_jvp`/`_vjp` (and marker constant) by the path it was
//! imported by: the `use` brought the function alone into scope, and each call was rustc's
//! "cannot find function `pull_jvp`" (and `__tapeless_wrt_pull_10`) before. Checked against the
//! analytic gradient and Hessian, central differences, and forward against reverse mode. A
//! `use` statement of the caller's own body is followed too.

// The generated items are held as trait objects of their own signatures.
#![allow(clippy::type_complexity)]

mod common;

#[path = "imported/oscillators.rs"]
mod oscillators;

mod physics {
    use tapeless::differentiable;

    #[differentiable(hessian)]
    pub fn spring(x: f64, k: f64) -> f64 {
        0.5 * k * x * x
    }

    pub mod deep {
        use tapeless::differentiable;

        /// Differentiated in `x` only: a caller relies on its `wrt(..)` (the marker).
        #[differentiable(wrt(x), hessian)]
        pub fn pull(x: f64, m: f64) -> f64 {
            9.81 * m * x
        }
    }
}

mod body_uses {
    use tapeless::differentiable;

    /// `Σ (19.62 x_i + k x_i² / 2)`, its callees brought in by `use` statements of its own body
    /// (the second one renamed): rustc's "cannot find function `pull_jvp`" before.
    #[differentiable(hessian)]
    pub fn load(x: &[f64], k: f64) -> f64 {
        use super::physics::deep::pull;
        use super::physics::spring as stiff;
        let mut e = 0.0;
        for &xi in x {
            e += pull(xi, 2.0) + stiff(xi, k);
        }
        e
    }
}

mod model {
    use super::physics::deep::pull;
    use super::physics::{self, spring as spr};
    use crate::oscillators::{norm2, wobble};
    use tapeless::differentiable;

    /// `Σ_i (k x_i² / 2 + 19.62 x_i + sin² x_i) + k x₀ / 2`.
    #[differentiable(hessian)]
    pub fn energy(x: &[f64], k: f64) -> f64 {
        let mut e = 0.0;
        for &xi in x {
            e += spr(xi, k) + pull(xi, 2.0) + wobble(xi);
        }
        e + physics::spring(x[0], 1.0) * k / x[0]
    }

    /// `|x|` through a generic function of another file.
    #[differentiable]
    pub fn length(x: &[f64]) -> f64 {
        norm2(x).sqrt()
    }
}

/// The generated items of a function of `(x: &[f64], k: f64)`, its inputs numbered `(x.., k)`.
struct SliceAndFloat<'a> {
    name: &'a str,
    f: &'a dyn Fn(&[f64], f64) -> f64,
    grad: &'a dyn Fn(&[f64], f64) -> (f64, (Vec<f64>, f64)),
    jvp: &'a dyn Fn(&[f64], f64, Vec<f64>, f64) -> (f64, f64),
    /// `_vjp`'s pullback applied to a cotangent.
    vjp: &'a dyn Fn(&[f64], f64, f64) -> (Vec<f64>, f64),
    hessian: &'a dyn Fn(&[f64], f64) -> nalgebra::DMatrix<f64>,
}

/// Checks `fns` at `(x, k)`: the value and gradient against the analytic ones, the gradient
/// against central differences, forward against reverse mode, and the Hessian against the
/// analytic one (`want_h(r, c)`) and central differences of `_grad`.
fn check_slice_and_float(
    fns: &SliceAndFloat,
    x: &[f64],
    k: f64,
    want_value: f64,
    want_g: &[f64],
    want_h: &dyn Fn(usize, usize) -> f64,
) {
    use common::close;
    let (name, n) = (fns.name, x.len());
    let (value, (gx, gk)) = (fns.grad)(x, k);
    assert!(close(value, want_value, 1e-14), "{name}: {value} vs {want_value}");
    let g: Vec<f64> = gx.iter().copied().chain([gk]).collect();
    for (i, (a, b)) in g.iter().zip(want_g).enumerate() {
        assert!(close(*a, *b, 1e-14), "{name}: d/dinput{i}: {a} vs {b}");
    }
    let flat: Vec<f64> = x.iter().copied().chain([k]).collect();
    common::gradient_central(name, &|p: &[f64]| (fns.f)(&p[..n], p[n]), &flat, &g, 1e-8);
    let v = common::direction(n + 1, 2);
    let (_, tangent) = (fns.jvp)(x, k, v[..n].to_vec(), v[n]);
    let (ux, uk) = (fns.vjp)(x, k, 0.8);
    let g_u: Vec<f64> = ux.iter().copied().chain([uk]).collect();
    common::forward_against_reverse(name, tangent, &v, 0.8, &g_u, 1e-13);
    let h = (fns.hessian)(x, k);
    for r in 0..=n {
        let grad_r = |p: &[f64]| {
            let (_, (a, b)) = (fns.grad)(&p[..n], p[n]);
            if r < n { a[r] } else { b }
        };
        for c in 0..=n {
            let want = want_h(r, c);
            assert!(close(h[(r, c)], want, 1e-13), "{name}: H[{r},{c}] = {} vs {want}", h[(r, c)]);
            assert!(
                close(h[(r, c)], common::central(&grad_r, &flat, c), 1e-7),
                "{name}: H[{r},{c}] against _grad"
            );
        }
    }
}

#[test]
fn imported_functions_compose() {
    use common::close;
    let energy = SliceAndFloat {
        name: "energy",
        f: &|x, k| model::energy(x, k),
        grad: &|x, k| model::energy_grad(x, k),
        jvp: &|x, k, dx, dk| model::energy_jvp(x, k, dx, dk),
        vjp: &|x, k, u| model::energy_vjp(x, k).1(u),
        hessian: &|x, k| model::energy_hessian(x, k).2,
    };
    for (x, k) in [(vec![0.5_f64, -1.0], 3.0), (vec![1.2, 0.3, -0.7], 0.5)] {
        let n = x.len();
        let want_value =
            x.iter().map(|v| 0.5 * k * v * v + 19.62 * v + v.sin().powi(2)).sum::<f64>() + 0.5 * k * x[0];
        let mut want_g: Vec<f64> = (0..n)
            .map(|i| k * x[i] + 19.62 + (2.0 * x[i]).sin() + if i == 0 { 0.5 * k } else { 0.0 })
            .collect();
        want_g.push(x.iter().map(|v| 0.5 * v * v).sum::<f64>() + 0.5 * x[0]);
        // H: k + 2 cos 2x_i on the diagonal, x_i + [i = 0]/2 between x_i and k, 0 for k, k.
        let want_h = |r: usize, c: usize| match (r < n, c < n) {
            (true, true) if r == c => k + 2.0 * (2.0 * x[r]).cos(),
            (true, true) => 0.0,
            (true, false) => x[r] + if r == 0 { 0.5 } else { 0.0 },
            (false, true) => x[c] + if c == 0 { 0.5 } else { 0.0 },
            (false, false) => 0.0,
        };
        check_slice_and_float(&energy, &x, k, want_value, &want_g, &want_h);

        let (len, g) = model::length_grad(&x);
        let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt();
        assert!(close(len, norm, 1e-15));
        assert!(g.iter().zip(&x).all(|(a, b)| close(*a, b / norm, 1e-14)), "{g:?}");
        common::gradient_central("length", &|p: &[f64]| model::length(p), &x, &g, 1e-9);
        let v = common::direction(n, 3);
        let (_, tangent) = model::length_jvp(&x, v.clone());
        let (_, pullback) = model::length_vjp(&x);
        common::forward_against_reverse("length", tangent, &v, 1.3, &pullback(1.3), 1e-13);
    }
}

#[test]
fn functions_a_use_of_the_body_brings_in() {
    let load = SliceAndFloat {
        name: "load",
        f: &|x, k| body_uses::load(x, k),
        grad: &|x, k| body_uses::load_grad(x, k),
        jvp: &|x, k, dx, dk| body_uses::load_jvp(x, k, dx, dk),
        vjp: &|x, k, u| body_uses::load_vjp(x, k).1(u),
        hessian: &|x, k| body_uses::load_hessian(x, k).2,
    };
    for (x, k) in [(vec![0.5_f64, -1.0], 3.0), (vec![1.2, 0.3, -0.7], 0.5)] {
        let n = x.len();
        let want_value: f64 = x.iter().map(|v| 19.62 * v + 0.5 * k * v * v).sum();
        let mut want_g: Vec<f64> = x.iter().map(|v| 19.62 + k * v).collect();
        want_g.push(x.iter().map(|v| 0.5 * v * v).sum());
        // H: k on the diagonal, x_i between x_i and k.
        let want_h = |r: usize, c: usize| match (r < n, c < n) {
            (true, true) if r == c => k,
            (true, false) => x[r],
            (false, true) => x[c],
            _ => 0.0,
        };
        check_slice_and_float(&load, &x, k, want_value, &want_g, &want_h);
    }
}
