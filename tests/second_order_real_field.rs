//! Second order of functions generic over nalgebra's `RealField`, as nalgebra-generic crates
//! write them (`T::one()`, `T::from_f64(c).unwrap()`, `T::pi()`, `nalgebra::convert`,
//! `T::from_subset(&c)`, `T::max`; a slice of points, also of `f64`): first order against the
//! analytic gradient, central
//! differences and JVP against VJP; `_hessian` against the analytic Hessian and central
//! differences of `_grad`, symmetric; `_hvp` equal to `H v`.

// The functions are written as users write them.
#![allow(clippy::needless_range_loop)]

mod common;

use common::{check, close};
use nalgebra::{DMatrix, DVector, Matrix3, RealField, Vector3};
use tapeless::differentiable;

/// Rosenbrock's function over a slice.
#[differentiable(hessian)]
fn rosenbrock<T: RealField + Copy>(x: &[T]) -> T {
    let one = T::one();
    let hundred = T::from_f64(100.0).unwrap();
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        s += hundred * (x[i + 1] - x[i] * x[i]).powi(2) + (one - x[i]).powi(2);
    }
    s
}

/// `Σ x_i³ + |x|²/2 + π sin k + 2 k² + k/4`, from a `DVector` and a scalar.
#[differentiable(hessian)]
fn potential<T: RealField + Copy>(x: &DVector<T>, k: T) -> T {
    let half = T::from_f64(0.5).unwrap();
    let cubes = x.iter().fold(T::zero(), |acc, &v| acc + v * v * v);
    cubes
        + x.norm_squared() * half
        + T::pi() * k.sin()
        + nalgebra::convert::<f64, T>(2.0) * k * k
        + k * T::from_subset(&0.25)
}

/// `|p - q| + (p · q)/4 + max(p_x, q_y)` of two static vectors.
#[differentiable(hessian)]
fn pair<T: RealField + Copy>(p: Vector3<T>, q: Vector3<T>) -> T {
    let d = p - q;
    d.norm() + p.dot(&q) * T::from_subset(&0.25) + T::max(p.x, q.y)
}

/// The analytic gradient and Hessian of [`rosenbrock`].
fn rosenbrock_exact(x: &[f64]) -> (Vec<f64>, DMatrix<f64>) {
    let n = x.len();
    let (mut g, mut h) = (vec![0.0; n], DMatrix::zeros(n, n));
    for i in 0..n - 1 {
        let a = x[i + 1] - x[i] * x[i];
        g[i] += -400.0 * a * x[i] - 2.0 * (1.0 - x[i]);
        g[i + 1] += 200.0 * a;
        h[(i, i)] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
        h[(i + 1, i + 1)] += 200.0;
        h[(i, i + 1)] -= 400.0 * x[i];
        h[(i + 1, i)] -= 400.0 * x[i];
    }
    (g, h)
}

/// Checks `h` against `exact` and central differences of `grad`, symmetry, and `hv` = `H v`.
fn check_second(
    name: &str,
    h: &DMatrix<f64>,
    exact: &DMatrix<f64>,
    grad: &dyn Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
) {
    common::check_jacobian(name, h, exact, grad, x);
    for r in 0..x.len() {
        for c in 0..x.len() {
            assert!(close(h[(r, c)], h[(c, r)], 1e-12), "{name}: not symmetric at ({r}, {c})");
        }
    }
}

#[test]
fn rosenbrock_over_a_real_field() {
    let points: [&[f64]; 3] = [&[0.3, 0.8, -0.4, 1.1], &[1.0, 1.0, 1.0, 1.0], &[-1.2, 1.0, 0.5, 0.25]];
    let grad = |x: &[f64]| {
        let (v, g) = rosenbrock_grad(x);
        let (exact, _) = rosenbrock_exact(x);
        for k in 0..x.len() {
            assert!(close(g[k], exact[k], 1e-13), "d/dx{k} = {} vs {}", g[k], exact[k]);
        }
        (v, g)
    };
    check(&slice_fns!(rosenbrock, rosenbrock_jvp, rosenbrock_vjp, grad), &points, 1e-8);
    for x in points {
        let (value, g, h) = rosenbrock_hessian(x);
        assert_eq!((value, g.clone()), rosenbrock_grad(x));
        let (_, exact) = rosenbrock_exact(x);
        check_second("rosenbrock", &h, &exact, &|p| rosenbrock_grad(p).1, x);
        let v = common::direction(x.len(), 3);
        let (hv_value, hv_gradient, hv) = rosenbrock_hvp(x, v.clone());
        assert_eq!((hv_value, hv_gradient), (value, g));
        let expected = &h * DVector::from_column_slice(&v);
        for i in 0..x.len() {
            assert!(close(hv[i], expected[i], 1e-12), "(Hv)[{i}] = {} vs {}", hv[i], expected[i]);
        }
    }
}

#[test]
fn a_dynamic_vector_and_a_scalar_over_a_real_field() {
    // Inputs flattened as (x_0, x_1, x_2, k).
    let split = |z: &[f64]| (DVector::from_column_slice(&z[..3]), z[3]);
    let f = |z: &[f64]| {
        let (x, k) = split(z);
        potential(&x, k)
    };
    let grad = |z: &[f64]| {
        let (x, k) = split(z);
        let (v, (gx, gk)) = potential_grad(&x, k);
        let mut g: Vec<f64> = gx.iter().copied().collect();
        g.push(gk);
        for i in 0..3 {
            assert!(close(g[i], 3.0 * z[i] * z[i] + z[i], 1e-13), "d/dx{i}");
        }
        let dk = std::f64::consts::PI * k.cos() + 4.0 * k + 0.25;
        assert!(close(g[3], dk, 1e-13), "d/dk = {} vs {dk}", g[3]);
        (v, g)
    };
    let fns = common::Fns {
        name: "potential",
        f: &f,
        jvp: &|z, t| {
            let (x, k) = split(z);
            potential_jvp(&x, k, DVector::from_column_slice(&t[..3]), t[3])
        },
        vjp: &|z, u| {
            let (x, k) = split(z);
            let (v, pullback) = potential_vjp(&x, k);
            let (gx, gk) = pullback(u);
            let mut g: Vec<f64> = gx.iter().copied().collect();
            g.push(gk);
            (v, g)
        },
        grad: &grad,
    };
    let points: [&[f64]; 3] = [&[0.3, -0.2, 0.5, 0.7], &[1.0, 0.4, -0.8, -1.3], &[-0.6, 0.9, 0.1, 2.0]];
    check(&fns, &points, 1e-8);
    for z in points {
        let (x, k) = split(z);
        let (_, _, h) = potential_hessian(&x, k);
        let mut exact = DMatrix::zeros(4, 4);
        for i in 0..3 {
            exact[(i, i)] = 6.0 * z[i] + 1.0;
        }
        exact[(3, 3)] = -std::f64::consts::PI * k.sin() + 4.0;
        check_second("potential", &h, &exact, &|p| grad(p).1, z);
        let (_, _, (hx, hk)) = potential_hvp(&x, k, DVector::from_column_slice(&[0.5, -1.0, 0.25]), 2.0);
        let expected = &h * DVector::from_column_slice(&[0.5, -1.0, 0.25, 2.0]);
        for i in 0..3 {
            assert!(close(hx[i], expected[i], 1e-12), "(Hv)[{i}]");
        }
        assert!(close(hk, expected[3], 1e-12), "(Hv)[k]");
    }
}

#[test]
fn static_vectors_over_a_real_field() {
    let split = |z: &[f64]| (Vector3::new(z[0], z[1], z[2]), Vector3::new(z[3], z[4], z[5]));
    let grad = |z: &[f64]| {
        let (p, q) = split(z);
        let (v, (gp, gq)) = pair_grad(p, q);
        let g: Vec<f64> = gp.iter().chain(gq.iter()).copied().collect();
        let (d, r) = (p - q, (p - q).norm());
        for i in 0..3 {
            let max_p = if i == 0 && p.x > q.y { 1.0 } else { 0.0 };
            let max_q = if i == 1 && p.x <= q.y { 1.0 } else { 0.0 };
            assert!(close(g[i], d[i] / r + 0.25 * q[i] + max_p, 1e-13), "d/dp{i}");
            assert!(close(g[3 + i], -d[i] / r + 0.25 * p[i] + max_q, 1e-13), "d/dq{i}");
        }
        (v, g)
    };
    let fns = common::Fns {
        name: "pair",
        f: &|z| {
            let (p, q) = split(z);
            pair(p, q)
        },
        jvp: &|z, t| {
            let (p, q) = split(z);
            let (tp, tq) = split(t);
            pair_jvp(p, q, tp, tq)
        },
        vjp: &|z, u| {
            let (p, q) = split(z);
            let (v, pullback) = pair_vjp(p, q);
            let (gp, gq) = pullback(u);
            (v, gp.iter().chain(gq.iter()).copied().collect())
        },
        grad: &grad,
    };
    let points: [&[f64]; 3] = [
        &[0.3, -0.2, 0.5, 0.1, 0.4, -0.6],
        &[1.0, 0.5, -0.3, 0.2, -0.7, 0.9],
        &[-0.4, 0.8, 0.6, 1.1, 0.3, -0.2],
    ];
    check(&fns, &points, 1e-8);
    for z in points {
        let (p, q) = split(z);
        let (_, _, h) = pair_hessian(p, q);
        // The norm's Hessian (I - d̂ d̂ᵀ)/r in both blocks, negated off the diagonal; the dot
        // product's 1/4 between p_i and q_i; max is piecewise linear.
        let (d, r) = (p - q, (p - q).norm());
        let mut exact = DMatrix::zeros(6, 6);
        for i in 0..3 {
            for j in 0..3 {
                let n = (if i == j { 1.0 } else { 0.0 } - d[i] * d[j] / (r * r)) / r;
                exact[(i, j)] += n;
                exact[(3 + i, 3 + j)] += n;
                exact[(i, 3 + j)] -= n;
                exact[(3 + i, j)] -= n;
            }
            exact[(i, 3 + i)] += 0.25;
            exact[(3 + i, i)] += 0.25;
        }
        check_second("pair", &h, &exact, &|x| grad(x).1, z);
    }
}

/// `sqrt(Σ x_i² + ε) + min(x₀, x₁) + x₀^1.5`: a `map` closure, `nalgebra::zero`, the default
/// epsilon, `T::min` and a converted exponent.
#[differentiable(hessian)]
fn mapped<T: RealField + Copy>(x: &nalgebra::SVector<T, 3>) -> T {
    let z = nalgebra::zero::<T>();
    let eps = T::default_epsilon();
    let w = x.map(|v| v * v);
    z + (w.sum() + eps).sqrt() + T::min(x[0], x[1]) + x.x.powf(nalgebra::convert(1.5))
}

/// The population variance, its count from `T::from_usize(n).unwrap()`, behind an `assert!`
/// that asks `T` for a conversion.
#[differentiable(hessian)]
fn variance<T: RealField + Copy>(x: &DVector<T>) -> T {
    assert!(x.len() > 1 && x[0] > -T::from_f64(1e9).unwrap(), "x[0] = {}", x[0]);
    let n = T::from_usize(x.len()).unwrap();
    let mean = x.sum() / n;
    x.iter().map(|&v| (v - mean).powi(2)).fold(T::zero(), |a, b| a + b) / n
}

#[test]
fn maps_conversions_and_counts_over_a_real_field() {
    let vector = |z: &[f64]| nalgebra::SVector::<f64, 3>::from_column_slice(z);
    let mapped_grad_of = |z: &[f64]| {
        let (v, g) = mapped_grad(&vector(z));
        let r = (z.iter().map(|a| a * a).sum::<f64>() + f64::EPSILON).sqrt();
        for i in 0..3 {
            let min = if (i == 0 && z[0] < z[1]) || (i == 1 && z[1] <= z[0]) { 1.0 } else { 0.0 };
            let power = if i == 0 { 1.5 * z[0].sqrt() } else { 0.0 };
            assert!(close(g[i], z[i] / r + min + power, 1e-13), "mapped d/dx{i}");
        }
        (v, g.iter().copied().collect::<Vec<f64>>())
    };
    let fns = common::Fns {
        name: "mapped",
        f: &|z| mapped(&vector(z)),
        jvp: &|z, t| mapped_jvp(&vector(z), vector(t)),
        vjp: &|z, u| {
            let (v, pullback) = mapped_vjp(&vector(z));
            (v, pullback(u).iter().copied().collect())
        },
        grad: &mapped_grad_of,
    };
    let points: [&[f64]; 3] = [&[0.7, 0.4, 1.2], &[0.3, 0.9, -0.5], &[1.5, -0.2, 0.6]];
    check(&fns, &points, 1e-8);
    for z in points {
        let (_, _, h) = mapped_hessian(&vector(z));
        let r2 = z.iter().map(|a| a * a).sum::<f64>() + f64::EPSILON;
        let r = r2.sqrt();
        let mut exact = DMatrix::zeros(3, 3);
        for i in 0..3 {
            for j in 0..3 {
                exact[(i, j)] = (if i == j { r2 } else { 0.0 } - z[i] * z[j]) / (r2 * r);
            }
        }
        exact[(0, 0)] += 0.75 / z[0].sqrt();
        check_second("mapped", &h, &exact, &|p| mapped_grad_of(p).1, z);
    }
    let variance_grad_of = |z: &[f64]| {
        let (v, g) = variance_grad(&DVector::from_column_slice(z));
        let (n, mean) = (z.len() as f64, z.iter().sum::<f64>() / z.len() as f64);
        for i in 0..z.len() {
            assert!(close(g[i], 2.0 * (z[i] - mean) / n, 1e-13), "variance d/dx{i}");
        }
        (v, g.iter().copied().collect::<Vec<f64>>())
    };
    let fns = common::Fns {
        name: "variance",
        f: &|z| variance(&DVector::from_column_slice(z)),
        jvp: &|z, t| variance_jvp(&DVector::from_column_slice(z), DVector::from_column_slice(t)),
        vjp: &|z, u| {
            let x = DVector::from_column_slice(z);
            let (v, pullback) = variance_vjp(&x);
            (v, pullback(u).iter().copied().collect())
        },
        grad: &variance_grad_of,
    };
    let points: [&[f64]; 3] = [&[0.3, 0.9, -0.2], &[1.0, 2.0, 3.0, 4.5], &[-0.7, 0.1]];
    check(&fns, &points, 1e-8);
    for z in points {
        let (_, _, h) = variance_hessian(&DVector::from_column_slice(z));
        let n = z.len();
        let exact =
            DMatrix::from_fn(n, n, |i, j| 2.0 / n as f64 * (if i == j { 1.0 } else { 0.0 } - 1.0 / n as f64));
        check_second("variance", &h, &exact, &|p| variance_grad_of(p).1, z);
    }
}

/// `Σ_{i<j} k (|p_i - p_j| - r₀)²` over a slice of points, generic over `RealField`.
#[differentiable(hessian, wrt(ps))]
fn springs<T: RealField + Copy>(ps: &[Vector3<T>], k: T, r0: T) -> T {
    let mut e = T::zero();
    for i in 0..ps.len() {
        for j in i + 1..ps.len() {
            e += k * ((ps[i] - ps[j]).norm() - r0).powi(2);
        }
    }
    e
}

/// [`springs`] of `f64`, over a `Vec` of points.
#[differentiable(hessian, wrt(ps))]
fn springs_f64(ps: Vec<Vector3<f64>>, k: f64, r0: f64) -> f64 {
    let mut e = 0.0;
    for i in 0..ps.len() {
        for j in i + 1..ps.len() {
            e += k * ((ps[i] - ps[j]).norm() - r0).powi(2);
        }
    }
    e
}

/// The analytic gradient and Hessian of [`springs`], the points' coordinates numbered point by
/// point.
fn springs_exact(ps: &[Vector3<f64>], k: f64, r0: f64) -> (Vec<f64>, DMatrix<f64>) {
    let n = 3 * ps.len();
    let (mut g, mut h) = (vec![0.0; n], DMatrix::zeros(n, n));
    for i in 0..ps.len() {
        for j in i + 1..ps.len() {
            let d = ps[i] - ps[j];
            let r = d.norm();
            let u = d / r;
            let block = (u * u.transpose()) * (2.0 * k)
                + (Matrix3::identity() - u * u.transpose()) * (2.0 * k * (r - r0) / r);
            for a in 0..3 {
                g[3 * i + a] += 2.0 * k * (r - r0) * u[a];
                g[3 * j + a] -= 2.0 * k * (r - r0) * u[a];
                for b in 0..3 {
                    h[(3 * i + a, 3 * i + b)] += block[(a, b)];
                    h[(3 * j + a, 3 * j + b)] += block[(a, b)];
                    h[(3 * i + a, 3 * j + b)] -= block[(a, b)];
                    h[(3 * j + a, 3 * i + b)] -= block[(a, b)];
                }
            }
        }
    }
    (g, h)
}

#[test]
fn a_slice_of_static_vectors() {
    let points = |z: &[f64]| -> Vec<Vector3<f64>> { z.chunks(3).map(Vector3::from_column_slice).collect() };
    let flat = |g: &[Vector3<f64>]| -> Vec<f64> { g.iter().flat_map(|p| p.iter().copied()).collect() };
    let (k, r0) = (1.5, 0.8);
    let grad = |z: &[f64]| {
        let (v, g) = springs_grad(&points(z), k, r0);
        let (g, (exact, _)) = (flat(&g), springs_exact(&points(z), k, r0));
        for i in 0..z.len() {
            assert!(close(g[i], exact[i], 1e-13), "d/dx{i} = {} vs {}", g[i], exact[i]);
        }
        (v, g)
    };
    let fns = common::Fns {
        name: "springs",
        f: &|z| springs(&points(z), k, r0),
        jvp: &|z, t| springs_jvp(&points(z), k, r0, points(t)),
        vjp: &|z, u| {
            let ps = points(z);
            let (v, pullback) = springs_vjp(&ps, k, r0);
            (v, flat(&pullback(u)))
        },
        grad: &grad,
    };
    let at: [&[f64]; 3] = [
        &[0.0, 0.0, 0.0, 1.1, 0.1, 0.0, 0.2, 1.2, 0.3],
        &[0.5, -0.4, 0.2, -0.3, 0.9, 0.1, 1.0, 0.7, -0.6],
        &[1.0, 1.0, 1.0, 0.0, 0.4, 0.8, -0.5, 0.2, 0.3],
    ];
    check(&fns, &at, 1e-8);
    for z in at {
        let (_, exact) = springs_exact(&points(z), k, r0);
        let (value, g, h) = springs_hessian(&points(z), k, r0);
        check_second("springs", &h, &exact, &|p| grad(p).1, z);
        let (value_f64, g_f64, h_f64) = springs_f64_hessian(points(z), k, r0);
        assert!(close(value, value_f64, 1e-15) && flat(&g) == flat(&g_f64), "springs_f64 value and gradient");
        check_second("springs_f64", &h_f64, &exact, &|p| flat(&springs_f64_grad(points(p), k, r0).1), z);
        let v = common::direction(9, 4);
        let (_, _, hv) = springs_f64_hvp(points(z), k, r0, points(&v));
        let expected = &exact * DVector::from_column_slice(&v);
        let hv = flat(&hv);
        for i in 0..9 {
            assert!(close(hv[i], expected[i], 1e-10), "(Hv)[{i}] = {} vs {}", hv[i], expected[i]);
        }
    }
}
