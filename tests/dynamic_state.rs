//! `DVector`/`DMatrix` state that loops and branches change, as simulation and optimisation code
//! writes it: a power iteration, explicit Euler and RK4 steppers (the right-hand side a helper
//! called with `&(&y + &k1 * h)`), unrolled gradient descent in a `while` loop, momentum with two
//! carried vectors, a vector chosen by a branch and a `loop` that breaks. Each gradient against
//! a closed form or central differences, JVP against VJP; second order against the analytic
//! Hessian and central differences of `_grad`; a Jacobian against `_jvp` columns and `_vjp` rows.

mod common;

use common::{assert_close, central_gradient};
use nalgebra::{DMatrix, DVector};
use tapeless::{differentiable, piecewise};

/// The Rayleigh quotient after `k` normalised power iterations.
#[differentiable(wrt(a))]
fn rayleigh(a: &DMatrix<f64>, k: usize) -> f64 {
    let mut v = DVector::from_element(a.nrows(), 1.0);
    for _ in 0..k {
        v = a * &v;
        let nv = v.norm();
        v /= nv;
    }
    v.dot(&(a * &v))
}

/// Explicit Euler on `y' = A y + sin(y)`, 20 steps.
#[differentiable]
fn euler(y0: &DVector<f64>, a: &DMatrix<f64>, dt: f64) -> f64 {
    let mut y = y0.clone();
    for _ in 0..20 {
        let f = a * &y + y.map(|e| e.sin());
        y = &y + f * dt;
    }
    y.norm_squared()
}

/// Five steps of gradient descent on `½ xᵀ H x`, then the loss: `x₅ = (I - lr H)⁵ x₀`.
#[differentiable(wrt(x0, lr))]
fn unrolled(x0: DVector<f64>, lr: f64, h: &DMatrix<f64>) -> f64 {
    let mut x = x0;
    let mut k = 0;
    while k < 5 {
        let g = h * &x;
        x -= g * lr;
        k += 1;
    }
    0.5 * x.dot(&(h * &x))
}

/// The same loss as a function of `x₀` alone, for its Hessian `Mᵀ H M`, `M = (I - lr H)⁵`.
#[differentiable(wrt(x0), hessian)]
fn unrolled_loss(x0: &DVector<f64>, lr: f64, h: &DMatrix<f64>) -> f64 {
    let mut x = x0.clone();
    for _ in 0..5 {
        x = &x - (h * &x) * lr;
    }
    0.5 * x.dot(&(h * &x))
}

/// Two carried vectors, one reading the other's new value.
#[differentiable(wrt(v))]
fn momentum(v: DVector<f64>) -> f64 {
    let mut acc = v.clone();
    let mut vel = DVector::zeros(v.len());
    for i in 0..4 {
        vel = &vel * 0.5 + &acc * (i as f64 + 1.0);
        acc = acc * 0.9 + &v + &vel * 0.1;
    }
    acc.norm()
}

/// A vector chosen by a branch, then iterated in a `loop` that breaks.
#[differentiable]
fn branchy(x: &DVector<f64>, s: f64) -> f64 {
    let y = if piecewise(s > 0.0) { x * s } else { x.map(|e| e.exp()) };
    let mut z = y.clone();
    let mut k = 0;
    loop {
        z = z.component_mul(&z) * 0.5 + &y;
        k += 1;
        if piecewise(z.norm() > 10.0 || k > 6) {
            break;
        }
        z *= 0.9;
    }
    z.sum() + y.norm()
}

#[differentiable]
fn rhs(y: &DVector<f64>, k: f64) -> DVector<f64> {
    y.map(|e| e.sin()) * k
}

/// Classic RK4 with the right-hand side a helper, 8 steps.
#[differentiable]
fn rk4(y0: &DVector<f64>, k: f64) -> f64 {
    let h = 0.1;
    let mut y = y0.clone();
    for _ in 0..8 {
        let k1: DVector<f64> = rhs(&y, k);
        let k2: DVector<f64> = rhs(&(&y + &k1 * (h / 2.0)), k);
        let k3: DVector<f64> = rhs(&(&y + &k2 * (h / 2.0)), k);
        let k4: DVector<f64> = rhs(&(&y + &k3 * h), k);
        y += (k1 + k2 * 2.0 + k3 * 2.0 + k4) * (h / 6.0);
    }
    y.norm_squared()
}

/// A running estimate pulled toward each sample of a slice of vectors.
#[differentiable(wrt(w))]
fn tracking(xs: &[DVector<f64>], w: &DVector<f64>) -> f64 {
    let mut best = w.clone();
    let mut total = 0.0;
    for x in xs {
        let r = x - &best;
        total += r.norm_squared();
        best = &best * 0.5 + x * 0.5;
    }
    total
}

/// A branch inside the loop, with a Hessian.
#[differentiable(hessian)]
fn stepped(y0: &DVector<f64>, k: f64) -> f64 {
    let mut y = y0.clone();
    for i in 0..10 {
        let f = y.map(|e| -e * e) * k;
        y = if i % 2 == 0 { &y + f * 0.05 } else { &y + f * 0.02 };
    }
    y.norm_squared()
}

/// The trajectory's end as a vector, with a Jacobian.
#[differentiable(jacobian)]
fn trajectory(y0: &DVector<f64>, k: f64) -> DVector<f64> {
    let mut y = y0.clone();
    for _ in 0..10 {
        y = &y - y.component_mul(&y) * (k * 0.05);
    }
    y
}

fn vector(v: &[f64]) -> DVector<f64> {
    DVector::from_column_slice(v)
}

fn points() -> [DVector<f64>; 3] {
    [vector(&[0.3, -0.2, 0.5]), vector(&[-0.6, 0.1, 0.25]), vector(&[0.05, 0.4, -0.35])]
}

fn matrix() -> DMatrix<f64> {
    DMatrix::from_row_slice(3, 3, &[-0.5, 0.2, 0.0, 0.1, -0.3, 0.2, 0.0, 0.4, -0.2])
}

fn spd() -> DMatrix<f64> {
    DMatrix::from_row_slice(3, 3, &[3.0, 0.5, 0.1, 0.5, 2.0, 0.3, 0.1, 0.3, 1.0])
}

#[test]
fn power_iteration_against_central_differences_and_its_jvp() {
    let a0 = spd() * 0.5 + DMatrix::from_fn(3, 3, |i, j| 0.05 * (i as f64 - 2.0 * j as f64));
    for shift in [0.0, 0.3, -0.2] {
        let a = &a0 + DMatrix::identity(3, 3) * shift;
        let (value, g) = rayleigh_grad(&a, 6);
        assert_eq!(value, rayleigh(&a, 6));
        let fd = central_gradient(|p| rayleigh(&DMatrix::from_column_slice(3, 3, p), 6), a.as_slice());
        assert_close(g.as_slice(), &fd, 1e-6, "Rayleigh quotient");
        let dir = DMatrix::from_fn(3, 3, |i, j| (i as f64 - 0.3 * j as f64).sin());
        let (_, jv) = rayleigh_jvp(&a, 6, dir.clone());
        let (_, pullback) = rayleigh_vjp(&a, 6);
        assert_close(&[1.3 * jv], &[pullback(1.3).dot(&dir)], 1e-12, "JVP against VJP");
    }
}

#[test]
fn euler_stepper_against_central_differences_and_its_jvp() {
    let a = matrix();
    for y0 in points() {
        let (value, (gy, ga, gdt)) = euler_grad(&y0, &a, 0.05);
        assert_eq!(value, euler(&y0, &a, 0.05));
        assert_close(
            gy.as_slice(),
            &central_gradient(|p| euler(&vector(p), &a, 0.05), y0.as_slice()),
            1e-6,
            "y0",
        );
        let fd = central_gradient(|p| euler(&y0, &DMatrix::from_column_slice(3, 3, p), 0.05), a.as_slice());
        assert_close(ga.as_slice(), &fd, 1e-6, "A");
        assert_close(&[gdt], &central_gradient(|p| euler(&y0, &a, p[0]), &[0.05]), 1e-6, "dt");
        let (dy, da) = (vector(&[0.1, 0.4, -0.3]), DMatrix::from_fn(3, 3, |i, j| 0.1 * (i + 2 * j) as f64));
        let (_, jv) = euler_jvp(&y0, &a, 0.05, dy.clone(), da.clone(), 0.7);
        let (_, pullback) = euler_vjp(&y0, &a, 0.05);
        let (uy, ua, udt) = pullback(0.8);
        assert_close(&[0.8 * jv], &[uy.dot(&dy) + ua.dot(&da) + udt * 0.7], 1e-12, "JVP against VJP");
    }
}

/// `M = (I - lr H)⁵`; the loss `½ x₀ᵀ Mᵀ H M x₀` has gradient `Mᵀ H M x₀` and Hessian `Mᵀ H M`
/// (`M` is symmetric, a polynomial in `H`).
fn descent_matrix(lr: f64, h: &DMatrix<f64>) -> DMatrix<f64> {
    let step = DMatrix::identity(3, 3) - h * lr;
    (0..5).fold(DMatrix::identity(3, 3), |m, _| &step * m)
}

#[test]
fn unrolled_descent_in_a_while_loop_against_its_closed_form() {
    let h = spd();
    for (x0, lr) in points().into_iter().zip([0.1, 0.05, 0.2]) {
        let m = descent_matrix(lr, &h);
        let (value, (gx, glr)) = unrolled_grad(x0.clone(), lr, &h);
        let xk = &m * &x0;
        assert_close(&[value], &[0.5 * xk.dot(&(&h * &xk))], 1e-12, "value");
        assert_close(gx.as_slice(), (m.transpose() * &h * &m * &x0).as_slice(), 1e-12, "x0");
        assert_close(&[glr], &central_gradient(|p| unrolled(x0.clone(), p[0], &h), &[lr]), 1e-6, "lr");
        let dx = vector(&[0.2, -0.1, 0.3]);
        let (_, jv) = unrolled_jvp(x0.clone(), lr, &h, dx.clone(), 0.4);
        let (_, pullback) = unrolled_vjp(x0.clone(), lr, &h);
        let (ux, ulr) = pullback(1.7);
        assert_close(&[1.7 * jv], &[ux.dot(&dx) + ulr * 0.4], 1e-12, "JVP against VJP");
    }
}

#[test]
fn hessian_of_unrolled_descent_is_the_closed_form() {
    let h = spd();
    for (x0, lr) in points().into_iter().zip([0.1, 0.05, 0.2]) {
        let m = descent_matrix(lr, &h);
        let want = m.transpose() * &h * &m;
        let (value, g, hess) = unrolled_loss_hessian(&x0, lr, &h);
        assert_close(&[value], &[unrolled_loss(&x0, lr, &h)], 1e-12, "value");
        assert_close(g.as_slice(), (&want * &x0).as_slice(), 1e-12, "gradient");
        assert_close(hess.as_slice(), want.as_slice(), 1e-12, "Hessian");
        for i in 0..3 {
            let column = central_gradient(|p| unrolled_loss_grad(&vector(p), lr, &h).1[i], x0.as_slice());
            assert_close(hess.row(i).transpose().as_slice(), &column, 1e-6, "central differences of _grad");
        }
        let v = vector(&[0.3, 0.1, -0.2]);
        let (_, _, hv) = unrolled_loss_hvp(&x0, lr, &h, v.clone());
        assert_close(hv.as_slice(), (&want * &v).as_slice(), 1e-12, "Hessian-vector product");
    }
}

#[test]
fn two_carried_vectors_against_central_differences() {
    for v in points() {
        let (value, g) = momentum_grad(v.clone());
        assert_eq!(value, momentum(v.clone()));
        assert_close(g.as_slice(), &central_gradient(|p| momentum(vector(p)), v.as_slice()), 1e-6, "v");
        let dv = vector(&[0.5, -0.2, 0.1]);
        let (_, jv) = momentum_jvp(v.clone(), dv.clone());
        let (_, pullback) = momentum_vjp(v.clone());
        assert_close(&[0.6 * jv], &[pullback(0.6).dot(&dv)], 1e-12, "JVP against VJP");
    }
}

/// The gradient of a function of a vector and a float.
type Gradient = (DVector<f64>, f64);

/// The generated items of a function of a vector `y` and a float `s`.
struct VectorAndScalar {
    f: fn(&DVector<f64>, f64) -> f64,
    grad: fn(&DVector<f64>, f64) -> (f64, Gradient),
    jvp: fn(&DVector<f64>, f64, Gradient) -> (f64, f64),
    /// The pullback at `(y, s)` applied to a cotangent.
    vjp: fn(&DVector<f64>, f64, f64) -> Gradient,
}

impl VectorAndScalar {
    /// The gradient against central differences, and JVP against VJP, at `(y, s)`.
    fn check(&self, y: &DVector<f64>, s: f64) {
        let (value, (gy, gs)) = (self.grad)(y, s);
        assert_eq!(value, (self.f)(y, s));
        assert_close(gy.as_slice(), &central_gradient(|p| (self.f)(&vector(p), s), y.as_slice()), 1e-6, "y");
        assert_close(&[gs], &central_gradient(|p| (self.f)(y, p[0]), &[s]), 1e-6, "s");
        let dy = vector(&[0.1, 0.4, -0.3]);
        let (_, jv) = (self.jvp)(y, s, (dy.clone(), 0.2));
        let (uy, us) = (self.vjp)(y, s, 1.1);
        assert_close(&[1.1 * jv], &[uy.dot(&dy) + us * 0.2], 1e-12, "JVP against VJP");
    }
}

#[test]
fn vector_chosen_by_a_branch_and_a_loop_that_breaks() {
    let items = VectorAndScalar {
        f: branchy,
        grad: branchy_grad,
        jvp: |y, s, (dy, ds)| branchy_jvp(y, s, dy, ds),
        vjp: |y, s, u| branchy_vjp(y, s).1(u),
    };
    for s in [0.7, -0.4, 3.0] {
        items.check(&points()[0], s);
    }
}

#[test]
fn rk4_with_a_helper_right_hand_side() {
    let items = VectorAndScalar {
        f: rk4,
        grad: rk4_grad,
        jvp: |y, k, (dy, dk)| rk4_jvp(y, k, dy, dk),
        vjp: |y, k, u| rk4_vjp(y, k).1(u),
    };
    for (y0, k) in points().into_iter().zip([0.8, -0.5, 1.5]) {
        items.check(&y0, k);
    }
}

#[test]
fn estimate_carried_over_a_slice_of_vectors() {
    let xs: Vec<DVector<f64>> = points().to_vec();
    for w in points() {
        let (value, g) = tracking_grad(&xs, &w);
        assert_eq!(value, tracking(&xs, &w));
        assert_close(g.as_slice(), &central_gradient(|p| tracking(&xs, &vector(p)), w.as_slice()), 1e-6, "w");
        let dw = vector(&[0.3, 0.3, -0.1]);
        let (_, jv) = tracking_jvp(&xs, &w, dw.clone());
        let (_, pullback) = tracking_vjp(&xs, &w);
        assert_close(&[2.0 * jv], &[pullback(2.0).dot(&dw)], 1e-12, "JVP against VJP");
    }
}

#[test]
fn hessian_with_a_branch_in_the_loop() {
    for (y0, k) in points().into_iter().zip([0.8, -0.5, 1.5]) {
        let (value, (hy, hk), hess) = stepped_hessian(&y0, k);
        let (gvalue, (gy, gk)) = stepped_grad(&y0, k);
        assert_close(&[value], &[gvalue], 1e-12, "value");
        assert_close(hy.as_slice(), gy.as_slice(), 1e-12, "gradient");
        assert_close(&[hk], &[gk], 1e-12, "gradient");
        let at: Vec<f64> = y0.iter().copied().chain([k]).collect();
        for i in 0..4 {
            let row = central_gradient(
                |p| {
                    let (_, (gy, gk)) = stepped_grad(&vector(&p[..3]), p[3]);
                    if i < 3 { gy[i] } else { gk }
                },
                &at,
            );
            assert_close(hess.row(i).transpose().as_slice(), &row, 1e-6, "central differences of _grad");
            for j in 0..4 {
                assert_close(&[hess[(i, j)]], &[hess[(j, i)]], 1e-12, "symmetry");
            }
        }
    }
}

#[test]
fn jacobian_of_a_trajectory_against_jvp_columns_and_vjp_rows() {
    for (y0, k) in points().into_iter().zip([0.8, -0.5, 1.5]) {
        let (value, j) = trajectory_jacobian(&y0, k);
        assert_eq!(value, trajectory(&y0, k));
        assert_eq!((j.nrows(), j.ncols()), (3, 4));
        for c in 0..4 {
            let (dy, dk) = if c < 3 {
                (DVector::from_fn(3, |i, _| f64::from(u8::from(i == c))), 0.0)
            } else {
                (DVector::zeros(3), 1.0)
            };
            let (_, column) = trajectory_jvp(&y0, k, dy, dk);
            assert_close(j.column(c).as_slice(), column.as_slice(), 1e-12, "column");
        }
        let (_, pullback) = trajectory_vjp(&y0, k);
        let (uy, uk) = pullback(DVector::from_column_slice(&[0.0, 1.0, 0.0]));
        let row: Vec<f64> = uy.iter().copied().chain([uk]).collect();
        assert_close(j.row(1).transpose().as_slice(), &row, 1e-12, "row");
        let fd = central_gradient(
            |p| trajectory(&vector(&p[..3]), p[3])[1],
            &y0.iter().copied().chain([k]).collect::<Vec<_>>(),
        );
        assert_close(&row, &fd, 1e-6, "central differences");
    }
}
