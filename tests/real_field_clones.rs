//! Generic code over nalgebra's `RealField` as nalgebra's own examples and published crates write
//! it: `RealField` is not `Copy`, so every read of a scalar is `.clone()`d (`x[i].clone()`,
//! `k.clone() * d`, `v.clone() * v.clone()`). A clone of a float is the same value to the
//! macro (the generated items' `T: Floating` is `Copy`). Each function is checked at `f64`
//! against central differences, an analytic gradient, and forward against reverse mode.

mod common;

use common::{Fns, central, check, close};
use nalgebra::{DVector, RealField, SVector, Vector3};
use tapeless::differentiable;

#[differentiable]
pub fn rosenbrock<T: RealField>(x: &DVector<T>) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = T::one() - x[i].clone();
        let b = x[i + 1].clone() - x[i].clone() * x[i].clone();
        s += a.clone() * a + nalgebra::convert::<f64, T>(100.0) * b.clone() * b;
    }
    s
}

#[differentiable]
pub fn spring<T: RealField>(q: &SVector<T, 3>, k: T) -> T {
    let r = q.norm();
    let d = r.clone() - T::one();
    k.clone() * d.clone() * d * nalgebra::convert(0.5) + q.norm_squared() * k
}

#[differentiable]
pub fn squares_and_sines<T: RealField>(x: &[T]) -> T {
    x.iter().map(|v| v.clone() * v.clone()).fold(T::zero(), |a, b| a + b)
        + x.iter().cloned().map(|v| v.sin()).fold(T::zero(), |a, b| a + b)
}

#[differentiable]
pub fn distance_and_dot<T: RealField>(a: &Vector3<T>, b: &Vector3<T>) -> T {
    (a - b).norm() + a.dot(b) * a[0].clone()
}

const POINTS: [&[f64]; 3] = [&[0.5, 0.2, 0.1], &[-1.2, 1.0, 0.7], &[1.5, -0.3, 2.0]];

#[test]
fn rosenbrock_with_clones() {
    let dv = |x: &[f64]| DVector::from_column_slice(x);
    let fns = dvector_fns!(rosenbrock, rosenbrock_jvp, rosenbrock_vjp, rosenbrock_grad);
    check(&fns, &POINTS, 1e-8);
    // Analytic at (0.5, 0.2, 0.1): (-2 a0 - 400 x0 b0, 200 b0 - 2 a1 - 400 x1 b1, 200 b1).
    let (value, g) = rosenbrock_grad(&dv(&[0.5, 0.2, 0.1]));
    assert!(close(value, 1.5, 1e-14));
    for (got, want) in g.iter().zip([9.0, -16.4, 12.0]) {
        assert!(close(*got, want, 1e-13), "{got} != {want}");
    }
}

#[test]
fn spring_with_clones() {
    let sv = |x: &[f64]| SVector::<f64, 3>::from_column_slice(&x[..3]);
    let fns = Fns {
        name: "spring",
        f: &|x| spring(&sv(x), x[3]),
        jvp: &|x, t| spring_jvp(&sv(x), x[3], sv(t), t[3]),
        vjp: &|x, u| {
            let (v, pullback) = spring_vjp(&sv(x), x[3]);
            let (gq, gk) = pullback(u);
            (v, gq.iter().copied().chain([gk]).collect())
        },
        grad: &|x| {
            let (v, (gq, gk)) = spring_grad(&sv(x), x[3]);
            (v, gq.iter().copied().chain([gk]).collect())
        },
    };
    check(&fns, &[&[1.0, 2.0, 0.5, 3.0], &[0.3, -0.4, 1.2, 0.5], &[-2.0, 0.1, 0.2, 1.5]], 1e-8);
    // Analytic: d/dk = (r - 1)^2 / 2 + |q|^2, d/dq = k ((r - 1) / r + 2) q.
    let (q, k) = (SVector::<f64, 3>::new(1.0, 2.0, 0.5), 3.0);
    let r = q.norm();
    let (_, (gq, gk)) = spring_grad(&q, k);
    assert!(close(gk, (r - 1.0).powi(2) / 2.0 + q.norm_squared(), 1e-14));
    for i in 0..3 {
        assert!(close(gq[i], k * ((r - 1.0) / r + 2.0) * q[i], 1e-14));
    }
}

#[test]
fn iterator_chains_with_clones() {
    let fns = Fns {
        name: "squares_and_sines",
        f: &|x| squares_and_sines(x),
        jvp: &|x, t| squares_and_sines_jvp(x, t.to_vec()),
        vjp: &|x, u| {
            let (v, pullback) = squares_and_sines_vjp(x);
            (v, pullback(u))
        },
        grad: &|x| squares_and_sines_grad(x),
    };
    check(&fns, &POINTS, 1e-8);
    // Analytic: 2 x + cos x.
    let (_, g) = squares_and_sines_grad(&[1.0, 2.0]);
    assert_eq!(g, vec![2.0 + 1f64.cos(), 4.0 + 2f64.cos()]);
}

#[test]
fn static_vectors_with_clones() {
    let v3 = |x: &[f64]| Vector3::new(x[0], x[1], x[2]);
    let flat = |a: Vector3<f64>, b: Vector3<f64>| a.iter().chain(b.iter()).copied().collect::<Vec<f64>>();
    let fns = Fns {
        name: "distance_and_dot",
        f: &|x| distance_and_dot(&v3(x), &v3(&x[3..])),
        jvp: &|x, t| distance_and_dot_jvp(&v3(x), &v3(&x[3..]), v3(t), v3(&t[3..])),
        vjp: &|x, u| {
            let (v, pullback) = distance_and_dot_vjp(&v3(x), &v3(&x[3..]));
            let (ga, gb) = pullback(u);
            (v, flat(ga, gb))
        },
        grad: &|x| {
            let (v, (ga, gb)) = distance_and_dot_grad(&v3(x), &v3(&x[3..]));
            (v, flat(ga, gb))
        },
    };
    check(
        &fns,
        &[
            &[1.0, 2.0, 0.5, 0.0, 1.0, 1.0],
            &[-0.5, 0.3, 0.8, 1.2, -0.7, 0.4],
            &[2.0, -1.0, 0.1, 0.3, 0.3, -1.5],
        ],
        1e-8,
    );
}

/// The same clones at `f64`, with second order: the dual copy of `_grad` has no `clone` left.
/// (Written as generic code would be, hence the lint.)
#[allow(clippy::clone_on_copy)]
#[differentiable(hessian)]
pub fn rosenbrock_f64(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = 1.0 - x[i].clone();
        let b = x[i + 1].clone() - x[i].clone() * x[i];
        s += a * a + 100.0 * b * b;
    }
    s
}

#[test]
fn second_order_of_cloned_reads() {
    for x in [[0.5, 0.2], [-1.2, 1.0], [1.5, 2.0]] {
        let (_, g, h) = rosenbrock_f64_hessian(&x);
        let (_, g2) = rosenbrock_f64_grad(&x);
        assert_eq!(g, g2);
        // Analytic: [[1200 x0² - 400 x1 + 2, -400 x0], [-400 x0, 200]].
        let want = [[1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0, -400.0 * x[0]], [-400.0 * x[0], 200.0]];
        for (i, row) in want.iter().enumerate() {
            for (j, w) in row.iter().enumerate() {
                assert!(close(h[(i, j)], *w, 1e-12), "H[{i},{j}] = {} != {w}", h[(i, j)]);
                // Central differences of `_grad`.
                let fd = central(&|p: &[f64]| rosenbrock_f64_grad(p).1[i], &x, j);
                assert!(close(h[(i, j)], fd, 1e-7), "H[{i},{j}] = {} against {fd}", h[(i, j)]);
            }
        }
    }
}
