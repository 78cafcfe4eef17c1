//! Functions that write their results through `&mut` slices, as ODE right-hand sides do
//! (`fn rhs(y: &[f64], dy: &mut [f64], k: f64)`), called by an integrator that is
//! differentiated. The attribute makes `rhs_out` (old contents to new ones) and differentiates
//! it; a call `rhs(&y, &mut dy, k)` writes `dy` from it. `&mut DVector` results too. Each
//! against a closed form or central differences, JVP against VJP.

mod common;

use common::{assert_close, central_gradient, check_jacobian};
use nalgebra::{DMatrix, DVector};
use num_traits::Float;
use tapeless::differentiable;

/// The harmonic oscillator `y'' = -k y` as a first-order system.
#[differentiable]
fn oscillator(y: &[f64], dy: &mut [f64], k: f64) {
    dy[0] = y[1];
    dy[1] = -k * y[0];
}

/// Explicit Euler, 40 steps of `h = 0.05`: `y_n = (I + h A)ⁿ y₀`; the result is `y_n[0]`.
#[differentiable]
fn euler(y0: &[f64], k: f64) -> f64 {
    let mut y = y0.to_vec();
    let mut dy = vec![0.0; 2];
    for _ in 0..40 {
        oscillator(&y, &mut dy, k);
        for i in 0..2 {
            y[i] += 0.05 * dy[i];
        }
    }
    y[0]
}

/// A damped, nonlinear right-hand side that leaves early when asked to.
#[differentiable]
fn damped(y: &[f64], dy: &mut [f64], k: f64, frozen: bool) {
    if frozen {
        return;
    }
    dy[0] = y[1];
    dy[1] = -k * y[0] - 0.1 * y[1].powi(3);
}

/// The midpoint method with two calls per step, from an array parameter.
#[differentiable]
fn midpoint(y0: [f64; 2], k: f64) -> f64 {
    let mut y = y0.to_vec();
    let mut k1 = vec![0.0; 2];
    let mut k2 = vec![0.0; 2];
    let mut mid = vec![0.0; 2];
    for _ in 0..20 {
        damped(&y, &mut k1, k, false);
        for i in 0..2 {
            mid[i] = y[i] + 0.05 * k1[i];
        }
        damped(&mid, &mut k2, k, false);
        for i in 0..2 {
            y[i] += 0.1 * k2[i];
        }
    }
    y[0] * y[1]
}

/// Two results: the parts of `x` below and above `t`, scaled.
#[differentiable]
fn split<T: Float>(x: &[T], low: &mut [T], high: &mut [T], t: T) {
    for i in 0..x.len() {
        low[i] = x[i].min(t);
        high[i] = (x[i] - t).max(T::zero()) * t;
    }
}

#[differentiable]
fn spread<T: Float>(x: &[T], t: T) -> T {
    let n = x.len();
    let mut low = vec![T::zero(); n];
    let mut high = vec![T::zero(); n];
    split(x, &mut low, &mut high, t);
    let mut s = T::zero();
    for i in 0..n {
        s = s + low[i] * high[i] + high[i];
    }
    s
}

/// `(I + h A)ⁿ` of the oscillator, row 0: the closed form of `euler`'s gradient in `y₀`.
fn euler_row(k: f64) -> [f64; 2] {
    let step = [[1.0, 0.05], [-0.05 * k, 1.0]];
    let mut m = [[1.0, 0.0], [0.0, 1.0]];
    for _ in 0..40 {
        let mut next = [[0.0; 2]; 2];
        for (i, row) in next.iter_mut().enumerate() {
            for (j, entry) in row.iter_mut().enumerate() {
                *entry = (0..2).map(|l| step[i][l] * m[l][j]).sum();
            }
        }
        m = next;
    }
    m[0]
}

#[test]
fn euler_with_a_right_hand_side_against_its_closed_form() {
    for (y0, k) in [([0.5, -0.3], 1.3), ([1.0, 0.2], 0.4), ([-0.2, 0.7], 2.5)] {
        let (value, (gy, gk)) = euler_grad(&y0, k);
        let row = euler_row(k);
        assert_close(&[value], &[row[0] * y0[0] + row[1] * y0[1]], 1e-12, "value");
        assert_close(&gy, &row, 1e-12, "gradient in y0");
        assert_close(&[gk], &central_gradient(|p| euler(&y0, p[0]), &[k]), 1e-7, "k");
        let (_, jv) = euler_jvp(&y0, k, vec![0.3, -0.1], 0.2);
        let (uy, uk) = euler_vjp(&y0, k).1(1.0);
        assert_close(&[jv], &[0.3 * uy[0] - 0.1 * uy[1] + 0.2 * uk], 1e-12, "JVP against VJP");
    }
}

#[test]
fn the_generated_twin_is_the_right_hand_side_as_a_function() {
    // `oscillator_out(y, dy, k)`: `dy` is overwritten, so its Jacobian in `dy` is zero.
    let (new, tangent) =
        oscillator_out_jvp(vec![0.5, -0.3], vec![9.0, 9.0], 1.3, vec![1.0, 0.0], vec![1.0, 1.0], 0.0);
    assert_eq!(new, vec![-0.3, -0.65]);
    assert_eq!(tangent, vec![0.0, -1.3]);
    let (_, pullback) = oscillator_out_vjp(vec![0.5, -0.3], vec![9.0, 9.0], 1.3);
    let (uy, udy, uk) = pullback(vec![1.0, 2.0]);
    assert_eq!((uy, udy, uk), (vec![-2.6, 1.0], vec![0.0, 0.0], -1.0));
}

#[test]
fn midpoint_with_two_calls_per_step() {
    for (y0, k) in [([0.5, -0.3], 1.3), ([0.1, 0.8], 0.6)] {
        let (value, (gy, gk)) = midpoint_grad(y0, k);
        assert_eq!(value, midpoint(y0, k));
        let fd = central_gradient(|p| midpoint([p[0], p[1]], p[2]), &[y0[0], y0[1], k]);
        assert_close(&[gy[0], gy[1], gk], &fd, 1e-7, "central differences");
        let (_, jv) = midpoint_jvp(y0, k, [0.3, -0.1], 0.2);
        let (uy, uk) = midpoint_vjp(y0, k).1(1.0);
        assert_close(&[jv], &[0.3 * uy[0] - 0.1 * uy[1] + 0.2 * uk], 1e-12, "JVP against VJP");
    }
}

#[test]
fn an_early_return_leaves_the_slices_as_they_were() {
    let (new, tangent) =
        damped_out_jvp(vec![0.5, 0.1], vec![7.0, 8.0], 1.0, true, vec![1.0, 1.0], vec![0.5, -0.5], 1.0);
    assert_eq!(new, vec![7.0, 8.0]);
    // The identity in the old contents, zero in the rest, both ways.
    assert_eq!(tangent, vec![0.5, -0.5]);
    let (uy, udy, uk) = damped_out_vjp(vec![0.5, 0.1], vec![7.0, 8.0], 1.0, true).1(vec![1.0, 2.0]);
    assert_eq!((uy, udy, uk), (vec![0.0, 0.0], vec![1.0, 2.0], 0.0));
}

#[test]
fn two_results_in_a_generic_function() {
    let x = [0.2, 0.9, 0.5, 1.4];
    for t in [0.6, 1.0] {
        let (value, (gx, gt)) = spread_grad(&x, t);
        assert_eq!(value, spread(&x, t));
        let fd = central_gradient(|p| spread(&p[..4], p[4]), &[x[0], x[1], x[2], x[3], t]);
        let mut got = gx.clone();
        got.push(gt);
        assert_close(&got, &fd, 1e-7, "central differences");
        // ∂/∂xᵢ: where xᵢ > t, low = t and high = (xᵢ - t) t: (t + 1) t; else high = 0: 0.
        for (g, xi) in gx.iter().zip(x) {
            let want = if xi > t { (t + 1.0) * t } else { 0.0 };
            assert_close(&[*g], &[want], 1e-12, "closed form");
        }
    }
}

/// A nalgebra right-hand side that only assigns its result.
#[differentiable]
fn cubic(y: &DVector<f64>, dy: &mut DVector<f64>, a: &DMatrix<f64>, k: f64) {
    *dy = a * y - y.map(|e| e.powi(3)) * k;
}

/// One that reads its result's old value: a relaxation `dy ← dy / 2 + y`.
#[differentiable]
fn relax(y: &DVector<f64>, dy: &mut DVector<f64>) {
    *dy = &*dy * 0.5 + y;
}

#[differentiable(wrt(y0, k))]
fn nalgebra_euler(y0: &DVector<f64>, a: &DMatrix<f64>, k: f64) -> f64 {
    let mut y = y0.clone();
    let mut dy = DVector::zeros(y0.len());
    let mut memory = DVector::zeros(y0.len());
    for _ in 0..30 {
        cubic(&y, &mut dy, a, k);
        relax(&dy, &mut memory);
        y += &memory * 0.02;
    }
    y.norm_squared()
}

#[test]
fn nalgebra_results_written_through_mut() {
    let a = DMatrix::from_row_slice(3, 3, &[-0.5, 0.2, 0.0, 0.1, -0.3, 0.2, 0.0, 0.4, -0.2]);
    for (y0, k) in
        [(DVector::from_vec(vec![0.5, -0.3, 0.2]), 1.3), (DVector::from_vec(vec![-0.1, 0.6, 0.4]), 0.4)]
    {
        let (value, (gy, gk)) = nalgebra_euler_grad(&y0, &a, k);
        assert_eq!(value, nalgebra_euler(&y0, &a, k));
        let at: Vec<f64> = y0.iter().copied().chain([k]).collect();
        let fd = central_gradient(|p| nalgebra_euler(&DVector::from_column_slice(&p[..3]), &a, p[3]), &at);
        let got: Vec<f64> = gy.iter().copied().chain([gk]).collect();
        assert_close(&got, &fd, 1e-7, "central differences");
        let dy = DVector::from_vec(vec![0.2, -0.1, 0.3]);
        let (_, jv) = nalgebra_euler_jvp(&y0, &a, k, dy.clone(), 0.5);
        let (uy, uk) = nalgebra_euler_vjp(&y0, &a, k).1(1.0);
        assert_close(&[jv], &[uy.dot(&dy) + 0.5 * uk], 1e-12, "JVP against VJP");
    }
}

/// A pendulum with friction, differentiated in the state alone: `wrt(y)` leaves the time and the
/// old contents of `dy` constants, so the twin's Jacobian is the one an implicit integrator needs.
#[differentiable(jacobian, wrt(y))]
fn pendulum(t: f64, y: &[f64], dy: &mut [f64]) {
    dy[0] = y[1];
    dy[1] = -(1.0 + 0.1 * t) * y[0].sin() - 0.2 * y[1] * y[1].abs();
}

/// `-k y + dy / 2`: reads its result's old value, which `wrt(y)` leaves a constant.
#[differentiable(jacobian, wrt(y))]
fn decaying(y: &DVector<f64>, dy: &mut DVector<f64>, k: f64) {
    *dy *= 0.5;
    *dy -= y * k;
}

#[test]
fn a_result_slice_outside_wrt_starts_from_a_zero_tangent() {
    for (t, y) in [(0.3, [0.4, -0.7]), (2.0, [1.2, 0.5])] {
        let (new, j) = pendulum_out_jacobian(t, y.to_vec(), vec![9.0, 9.0]);
        let mut dy = vec![0.0; 2];
        pendulum(t, &y, &mut dy);
        assert_eq!(new, dy);
        let c = 1.0 + 0.1 * t;
        let exact = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, -c * y[0].cos(), -0.4 * y[1].abs()]);
        check_jacobian("pendulum", &j, &exact, &|p| pendulum_out(t, p.to_vec(), vec![9.0, 9.0]), &y);
        // Columns by JVP, rows by VJP.
        for (k, v) in [[1.0, 0.0], [0.0, 1.0]].into_iter().enumerate() {
            let (_, column) = pendulum_out_jvp(t, y.to_vec(), vec![9.0, 9.0], v.to_vec());
            assert_close(&column, &[j[(0, k)], j[(1, k)]], 1e-12, "JVP column");
            let row = pendulum_out_vjp(t, y.to_vec(), vec![9.0, 9.0]).1(v.to_vec());
            assert_close(&row, &[j[(k, 0)], j[(k, 1)]], 1e-12, "VJP row");
        }
    }
}

#[test]
fn a_result_matrix_read_outside_wrt_starts_from_a_zero_tangent() {
    let (y, old, k) = (DVector::from_vec(vec![0.3, -1.1]), DVector::from_vec(vec![2.0, 4.0]), 0.7);
    let (new, j) = decaying_out_jacobian(&y, old.clone(), k);
    assert_eq!(new, &old * 0.5 - &y * k);
    let exact = DMatrix::from_diagonal_element(2, 2, -k);
    let f = |p: &[f64]| decaying_out(&DVector::from_column_slice(p), old.clone(), k).as_slice().to_vec();
    check_jacobian("decaying", &j, &exact, &f, y.as_slice());
    let v = DVector::from_vec(vec![0.4, -0.2]);
    let (_, jv) = decaying_out_jvp(&y, old.clone(), k, v.clone());
    let u = DVector::from_vec(vec![1.5, 0.5]);
    let uj = decaying_out_vjp(&y, old.clone(), k).1(u.clone());
    assert_close(&[u.dot(&jv)], &[uj.dot(&v)], 1e-12, "<u, J v> against <Jᵀ u, v>");
}

/// An objective that writes its constraints, as constrained optimisers take them: its twin
/// returns the value first, `(f64, Vec<f64>)`. It leaves early (a `piecewise` test) with the
/// constraints written so far.
#[differentiable(jacobian)]
fn constrained(x: &[f64], con: &mut [f64], scale: f64) -> f64 {
    con[0] = x[0] * x[1] - 1.0;
    if tapeless::piecewise(x[0] > 5.0) {
        return scale * x[0];
    }
    con[1] = x[0] + x[1].sin();
    scale * x.iter().map(|v| v * v).sum::<f64>()
}

/// A differentiated caller of it: the value and a constraint written.
#[differentiable]
fn penalised(x: &[f64]) -> f64 {
    let mut con = [0.0; 2];
    let f = constrained(x, &mut con, 0.5);
    f + 10.0 * (con[0] * con[0] + con[1] * con[1])
}

#[test]
fn a_function_returning_a_value_and_writing_through_mut() {
    let s = 0.5;
    for x in [[0.3, 0.8], [1.5, -0.4], [6.0, 0.2]] {
        let old = vec![7.0, 7.0];
        let ((value, con), j) = constrained_out_jacobian(x.to_vec(), old.clone(), s);
        let mut written = old.clone();
        assert_eq!(value, constrained(&x, &mut written, s));
        assert_eq!(con, written);
        // Rows: the value, con[0], con[1]; columns: x, the old con, scale.
        let exact = if x[0] > 5.0 {
            DMatrix::from_row_slice(
                3,
                5,
                &[s, 0.0, 0.0, 0.0, x[0], x[1], x[0], 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
            )
        } else {
            let sq = x[0] * x[0] + x[1] * x[1];
            DMatrix::from_row_slice(
                3,
                5,
                &[
                    2.0 * s * x[0],
                    2.0 * s * x[1],
                    0.0,
                    0.0,
                    sq,
                    x[1],
                    x[0],
                    0.0,
                    0.0,
                    0.0,
                    1.0,
                    x[1].cos(),
                    0.0,
                    0.0,
                    0.0,
                ],
            )
        };
        let f = |p: &[f64]| {
            let (v, c) = constrained_out(p[..2].to_vec(), p[2..4].to_vec(), p[4]);
            vec![v, c[0], c[1]]
        };
        let at = [x[0], x[1], old[0], old[1], s];
        check_jacobian("constrained", &j, &exact, &f, &at);
        // Columns by JVP, rows by VJP.
        for k in 0..5 {
            let mut e = [0.0; 5];
            e[k] = 1.0;
            let (_, (dv, dc)) =
                constrained_out_jvp(x.to_vec(), old.clone(), s, e[..2].to_vec(), e[2..4].to_vec(), e[4]);
            assert_close(&[dv, dc[0], dc[1]], &[j[(0, k)], j[(1, k)], j[(2, k)]], 1e-12, "JVP column");
        }
        for r in 0..3 {
            let u = [r == 0, r == 1, r == 2].map(|b| if b { 1.0 } else { 0.0 });
            let (bx, bcon, bs) = constrained_out_vjp(x.to_vec(), old.clone(), s).1((u[0], vec![u[1], u[2]]));
            assert_close(
                &[bx[0], bx[1], bcon[0], bcon[1], bs],
                &(0..5).map(|c| j[(r, c)]).collect::<Vec<_>>(),
                1e-12,
                "VJP row",
            );
        }
        let (_, g) = penalised_grad(&x);
        let (c0, c1) = (x[0] * x[1] - 1.0, if x[0] > 5.0 { 0.0 } else { x[0] + x[1].sin() });
        let want: Vec<f64> =
            (0..2).map(|k| exact[(0, k)] + 20.0 * (c0 * exact[(1, k)] + c1 * exact[(2, k)])).collect();
        assert_close(&g, &want, 1e-12, "penalised gradient");
        assert_close(&g, &central_gradient(penalised, &x), 1e-7, "penalised against central differences");
        // Forward against reverse: <u, J v> = <Jᵀ u, v>.
        let (v, u) = ([0.6, -1.1], 1.7);
        let (_, t) = penalised_jvp(&x, v.to_vec());
        let back = penalised_vjp(&x).1(u);
        assert!(
            common::close(u * t, back[0] * v[0] + back[1] * v[1], 1e-12),
            "penalised: JVP {t} against VJP {back:?}"
        );
    }
}
