//! nalgebra's dynamically sized `DVector` and `DMatrix` as differentiable values: the issue's
//! outer products (n = 2 and 1000, summed and with a matrix cotangent), the logistic regression
//! of F2 on a 1000 x 100 `DMatrix`, `map` with a closure, scalar products and quotients, and
//! values read inside a loop. Every gradient against central differences (or the analytic
//! gradient where the function is large) and forward mode against reverse mode.

mod common;

use common::functions::{
    f2_inputs_nalgebra, logistic_nll_nalgebra, logistic_nll_nalgebra_grad, logistic_nll_nalgebra_hand,
    logistic_nll_nalgebra_jvp, outer_product_sum_nalgebra, outer_product_sum_nalgebra_grad,
    outer_product_sum_nalgebra_jvp,
};
use nalgebra::{DMatrix, DVector, Vector3};
use tapeless::{differentiable, piecewise};

fn dvec(values: &[f64]) -> DVector<f64> {
    DVector::from_column_slice(values)
}

/// `d/dx_i f` by central differences for every `i` in `coordinates`, against `grad` (relative
/// `tol`).
fn assert_matches_differences(
    f: &dyn Fn(&[f64]) -> f64,
    x: &[f64],
    grad: &[f64],
    coordinates: &[usize],
    tol: f64,
) {
    for &i in coordinates {
        let fd = common::central(f, x, i);
        assert!(common::close(grad[i], fd, tol), "d/dx{i}: {} vs {fd}", grad[i]);
    }
}

#[differentiable]
fn outer(x: DVector<f64>, y: DVector<f64>) -> DMatrix<f64> {
    x * y.transpose()
}

#[test]
fn sum_of_the_outer_product_at_2_and_1000() {
    for n in [2, 1000] {
        let x = dvec(&common::direction(n, 1));
        let y = dvec(&common::direction(n, 2));
        let (value, (gx, gy)) = outer_product_sum_nalgebra_grad(&x, &y);
        assert!(common::close(value, x.sum() * y.sum(), 1e-12));
        assert!(common::close(value, outer_product_sum_nalgebra(&x, &y), 0.0));
        // Analytically d/dx_i = sum(y), d/dy_j = sum(x).
        assert!(gx.iter().all(|g| common::close(*g, y.sum(), 1e-12)), "n = {n}");
        assert!(gy.iter().all(|g| common::close(*g, x.sum(), 1e-12)), "n = {n}");
        // Central differences on a few coordinates of both.
        let xy: Vec<f64> = x.iter().chain(y.iter()).copied().collect();
        let f = |p: &[f64]| outer_product_sum_nalgebra(&dvec(&p[..n]), &dvec(&p[n..]));
        let g: Vec<f64> = gx.iter().chain(gy.iter()).copied().collect();
        assert_matches_differences(&f, &xy, &g, &[0, n - 1, n, 2 * n - 1], 1e-8);
        // Forward along a random direction against the gradient.
        let (dx, dy) = (dvec(&common::direction(n, 3)), dvec(&common::direction(n, 4)));
        let (v, t) = outer_product_sum_nalgebra_jvp(&x, &y, dx.clone(), dy.clone());
        assert_eq!(v, value);
        assert!(common::close(t, gx.dot(&dx) + gy.dot(&dy), 1e-10), "n = {n}");
    }
}

#[test]
fn outer_product_with_a_matrix_cotangent_at_2_and_1000() {
    let x = dvec(&[1.0, 2.0]);
    let y = dvec(&[4.0, 5.0]);
    let (z, pullback) = outer_vjp(x.clone(), y.clone());
    assert_eq!(z, DMatrix::from_row_slice(2, 2, &[4.0, 5.0, 8.0, 10.0]));
    assert_eq!(z, outer(x.clone(), y.clone()));
    // Cotangent U: x̄ = U y, ȳ = Uᵀ x.
    let u = DMatrix::from_row_slice(2, 2, &[0.5, -1.0, 2.0, 0.25]);
    let (gx, gy) = pullback(u.clone());
    assert_eq!(gx, dvec(&[0.5 * 4.0 - 5.0, 2.0 * 4.0 + 0.25 * 5.0]));
    assert_eq!(gy, dvec(&[0.5 + 2.0 * 2.0, -1.0 + 0.25 * 2.0]));
    for n in [2, 1000] {
        let (x, y) = (dvec(&common::direction(n, 5)), dvec(&common::direction(n, 6)));
        let (dx, dy) = (dvec(&common::direction(n, 7)), dvec(&common::direction(n, 8)));
        let u = DMatrix::from_column_slice(n, n, &common::direction(n * n, 9));
        let (z, jv) = outer_jvp(x.clone(), y.clone(), dx.clone(), dy.clone());
        assert_eq!(z, &x * y.transpose());
        // The tangent of x yᵀ is dx yᵀ + x dyᵀ.
        let expected = &dx * y.transpose() + &x * dy.transpose();
        assert!((&jv - &expected).abs().max() <= 1e-14, "n = {n}");
        // <U, J v> = <Jᵀ U, v>.
        let (_, pullback) = outer_vjp(x.clone(), y.clone());
        let (gx, gy) = pullback(u.clone());
        assert!(common::close(u.dot(&jv), gx.dot(&dx) + gy.dot(&dy), 1e-10), "n = {n}");
    }
}

#[test]
fn logistic_regression_on_a_1000_by_100_matrix() {
    let (x, y, w) = f2_inputs_nalgebra();
    let (value, grad) = logistic_nll_nalgebra_grad(&w, &x, &y);
    let (hand_value, hand_grad) = logistic_nll_nalgebra_hand(&w, &x, &y);
    assert!(common::close(value, hand_value, 1e-13));
    assert!(common::close(value, logistic_nll_nalgebra(&w, &x, &y), 0.0));
    for j in 0..100 {
        assert!(common::close(grad[j], hand_grad[j], 1e-12), "d/dw{j}: {} vs {}", grad[j], hand_grad[j]);
    }
    // The loop-written F2 (tests/bench_functions.rs checks it against its own hand gradient).
    let (xs, ys, ws) = common::functions::f2_inputs();
    let (loop_value, _) = common::functions::logistic_nll_grad(&ws, &xs, &ys);
    assert!(common::close(value, loop_value, 1e-12));
    // Central differences on ten coordinates. The loss is about 700 and the steps about 1e-5, so
    // rounding limits the differences to about 1e-7 relative (the hand gradient agrees to 1e-12).
    let f = |p: &[f64]| logistic_nll_nalgebra(&dvec(p), &x, &y);
    let some = [0, 7, 19, 33, 42, 50, 61, 77, 88, 99];
    assert_matches_differences(&f, w.as_slice(), grad.as_slice(), &some, 1e-6);
    // Forward along a random direction.
    let d = dvec(&common::direction(100, 10));
    let (_, t) = logistic_nll_nalgebra_jvp(&w, &x, &y, d.clone());
    assert!(common::close(t, grad.dot(&d), 1e-11));
}

/// Scalar times matrix, matrix over scalar, negation, `add_scalar`, `clone`, a typed binding,
/// entries, norms, `normalize`, `component_div` and a `map`.
#[differentiable]
fn mixed(x: DVector<f64>, s: f64) -> f64 {
    let z = 2.0 * &x + x.component_mul(&x) * s;
    let w: DVector<f64> = -z.clone() / s;
    let u = w.add_scalar(s) - &x;
    let q = u.map(|e| (0.5 * e).sin() + e * e);
    let r = x.component_div(&z.add_scalar(3.0));
    u.dot(&x) + u.norm() + z[0] * w[1] + q.norm_squared() / x.norm() + x.normalize().dot(&z) + r.sum()
}

#[test]
fn scalar_products_quotients_and_map() {
    let p = [0.7, -1.3, 0.4, 1.1];
    let f = |p: &[f64]| mixed(dvec(&p[..3]), p[3]);
    let (value, (gx, gs)) = mixed_grad(dvec(&p[..3]), p[3]);
    assert!(common::close(value, f(&p), 0.0));
    let g: Vec<f64> = gx.iter().copied().chain([gs]).collect();
    assert_matches_differences(&f, &p, &g, &[0, 1, 2, 3], 1e-8);
    let (dx, ds) = (dvec(&[0.3, -0.8, 0.5]), -0.6);
    let (_, t) = mixed_jvp(dvec(&p[..3]), p[3], dx.clone(), ds);
    assert!(common::close(t, gx.dot(&dx) + gs * ds, 1e-12));
}

/// Values computed before a loop are read inside it; a piecewise branch on a float follows.
#[differentiable]
fn read_in_a_loop(v: DVector<f64>, w: &DVector<f64>) -> f64 {
    let mut s = 0.5;
    for i in 0..4 {
        s += v.dot(w) * i as f64 + v[1] * s;
    }
    if piecewise(s > 0.0) { s * v.len() as f64 } else { -s }
}

#[test]
fn dynamic_values_read_inside_a_loop() {
    for p in [[1.0, -1.0, 0.5, 2.0], [0.3, 0.4, -0.2, 0.9]] {
        let f = |p: &[f64]| read_in_a_loop(dvec(&p[..2]), &dvec(&p[2..]));
        let (value, (gv, gw)) = read_in_a_loop_grad(dvec(&p[..2]), &dvec(&p[2..]));
        assert!(common::close(value, f(&p), 0.0));
        let g: Vec<f64> = gv.iter().chain(gw.iter()).copied().collect();
        assert_matches_differences(&f, &p, &g, &[0, 1, 2, 3], 1e-8);
        let (dv, dw) = (dvec(&[0.3, -0.8]), dvec(&[0.5, 0.1]));
        let (_, t) = read_in_a_loop_jvp(dvec(&p[..2]), &dvec(&p[2..]), dv.clone(), dw.clone());
        assert!(common::close(t, gv.dot(&dv) + gw.dot(&dw), 1e-12));
    }
}

/// A dynamically sized result, composed by nothing: its pullback takes a vector cotangent.
#[differentiable]
fn scaled(v: DVector<f32>, s: f32) -> DVector<f32> {
    v.map(|e| e.tanh()) * s
}

#[test]
fn f32_vectors_and_vector_results() {
    let v = DVector::from_column_slice(&[0.5f32, -1.0, 2.0]);
    let (y, pullback) = scaled_vjp(v.clone(), 1.5);
    assert_eq!(y, v.map(|e| e.tanh()) * 1.5);
    assert_eq!(y, scaled(v.clone(), 1.5));
    let u = DVector::from_column_slice(&[1.0f32, 0.5, -2.0]);
    let (gv, gs) = pullback(u.clone());
    for i in 0..3 {
        let expected = 1.5 * (1.0 - v[i].tanh().powi(2)) * u[i];
        assert!((gv[i] - expected).abs() <= 1e-6, "{} vs {expected}", gv[i]);
    }
    assert!((gs - u.dot(&v.map(|e| e.tanh()))).abs() <= 1e-6);
    let (dv, ds) = (DVector::from_column_slice(&[0.2f32, 0.1, -0.3]), 0.4);
    let (_, t) = scaled_jvp(v.clone(), 1.5, dv.clone(), ds);
    assert!((u.dot(&t) - (gv.dot(&dv) + gs * ds)).abs() <= 1e-5);
}

/// `map` on a statically sized vector.
#[differentiable]
fn static_map(v: Vector3<f64>) -> f64 {
    v.map(|e| e.exp() * e).norm()
}

#[test]
fn map_on_a_static_vector() {
    let p = [0.1, -0.4, 0.3];
    let f = |p: &[f64]| static_map(Vector3::from_column_slice(p));
    let (_, g) = static_map_grad(Vector3::from_column_slice(&p));
    assert_matches_differences(&f, &p, g.as_slice(), &[0, 1, 2], 1e-8);
    let d = Vector3::new(0.3, 0.2, -0.1);
    let (_, t) = static_map_jvp(Vector3::from_column_slice(&p), d);
    assert!(common::close(t, g.dot(&d), 1e-13));
}

/// Entries at computed indices in a loop: `v[i]` of a `DVector` parameter.
#[differentiable]
fn weighted_softplus(v: &DVector<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i].exp().ln_1p() * (i as f64 + 1.0);
    }
    s
}

/// `m[(i, j)]` of a `DMatrix` parameter and of a value computed from it, `w[i]` of a `Vector3`.
#[differentiable]
fn diagonal_and_column(m: DMatrix<f64>, w: Vector3<f64>) -> f64 {
    let p = &m * 2.0;
    let mut s = 0.0;
    for i in 0..3 {
        s += p[(i, i)] * w[i] + m[(i, 0)] * w[2 - i].sin();
    }
    s
}

#[test]
fn entries_at_computed_indices() {
    let v = dvec(&[0.5, -1.0, 2.0]);
    let (value, g) = weighted_softplus_grad(&v);
    assert!(common::close(value, weighted_softplus(&v), 0.0));
    // d/dv_i = (i + 1) σ(v_i).
    for i in 0..3 {
        let expected = (i as f64 + 1.0) / (1.0 + (-v[i]).exp());
        assert!(common::close(g[i], expected, 1e-15), "{} vs {expected}", g[i]);
    }
    let d = dvec(&[0.3, -0.2, 0.7]);
    assert!(common::close(weighted_softplus_jvp(&v, d.clone()).1, g.dot(&d), 1e-14));
    // `_grad_into` of a `DVector` parameter: the same gradient in the caller's variable, whatever
    // it held.
    let mut buffer = dvec(&[9.0; 5]);
    assert_eq!(weighted_softplus_grad_into(&v, &mut buffer), value);
    assert_eq!(buffer, g);

    let p: Vec<f64> = (0..12).map(|k| 0.3 * k as f64 - 1.1).collect();
    let split = |p: &[f64]| (DMatrix::from_column_slice(3, 3, &p[..9]), Vector3::from_column_slice(&p[9..]));
    let f = |p: &[f64]| {
        let (m, w) = split(p);
        diagonal_and_column(m, w)
    };
    let (m, w) = split(&p);
    let (value, (gm, gw)) = diagonal_and_column_grad(m.clone(), w);
    assert!(common::close(value, f(&p), 0.0));
    let g: Vec<f64> = gm.iter().chain(gw.iter()).copied().collect();
    assert_matches_differences(&f, &p, &g, &(0..12).collect::<Vec<_>>(), 1e-8);
    // Entries never read have derivative exactly zero.
    assert_eq!((gm[(0, 1)], gm[(1, 2)]), (0.0, 0.0));
    let (dm, dw) =
        (DMatrix::from_column_slice(3, 3, &common::direction(9, 12)), Vector3::new(0.2, -0.4, 0.1));
    let (_, t) = diagonal_and_column_jvp(m, w, dm.clone(), dw);
    assert!(common::close(t, gm.dot(&dm) + gw.dot(&dw), 1e-13));
}

/// Columns and rows read as copies, and vectors filled with one differentiable value.
#[differentiable]
fn columns_rows_and_fills(m: &DMatrix<f64>, s: f64, w: Vector3<f64>) -> f64 {
    let c = m.column(1);
    let r = m.row(0);
    let filled = DVector::from_element(m.nrows(), s);
    let mut t = 0.0;
    for j in 0..m.ncols() {
        t += m.column(j).dot(&filled) * r[j];
    }
    let v = Vector3::from_element(s * s) + w;
    c.dot(&filled) + r.norm_squared() + t + v.row(0)[0] * v.norm()
}

#[test]
fn columns_rows_and_filled_vectors() {
    let p: Vec<f64> = (0..10).map(|k| 0.25 * k as f64 - 0.9).collect();
    let p = [p, vec![0.4, -0.3, 0.8]].concat();
    let split =
        |p: &[f64]| (DMatrix::from_column_slice(3, 3, &p[..9]), p[9], Vector3::from_column_slice(&p[10..]));
    let f = |p: &[f64]| {
        let (m, s, w) = split(p);
        columns_rows_and_fills(&m, s, w)
    };
    let (m, s, w) = split(&p);
    let (value, (gm, gs, gw)) = columns_rows_and_fills_grad(&m, s, w);
    assert!(common::close(value, f(&p), 0.0));
    let g: Vec<f64> = gm.iter().copied().chain([gs]).chain(gw.iter().copied()).collect();
    assert_matches_differences(&f, &p, &g, &(0..13).collect::<Vec<_>>(), 1e-8);
    let (dm, ds, dw) =
        (DMatrix::from_column_slice(3, 3, &common::direction(9, 13)), -0.7, Vector3::new(0.1, 0.5, -0.2));
    let (_, t) = columns_rows_and_fills_jvp(&m, s, w, dm.clone(), ds, dw);
    assert!(common::close(t, gm.dot(&dm) + gs * ds + gw.dot(&dw), 1e-12));
}

/// The sum of a matrix product, its only use: the adjoint stays the scalar cotangent (no filled
/// matrix); and the same product used twice, where it cannot.
#[differentiable]
fn product_sums(a: DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    let once = (&a * b).sum();
    let p = &a * b;
    once * 0.5 + p.sum() * p[(1, 2)]
}

#[test]
fn sums_of_matrix_products() {
    let p: Vec<f64> = (0..14).map(|k| (0.37 * k as f64).sin()).collect();
    let split =
        |p: &[f64]| (DMatrix::from_column_slice(3, 2, &p[..6]), DMatrix::from_column_slice(2, 4, &p[6..]));
    let f = |p: &[f64]| {
        let (a, b) = split(p);
        product_sums(a, &b)
    };
    let (a, b) = split(&p);
    let (value, (ga, gb)) = product_sums_grad(a.clone(), &b);
    assert!(common::close(value, f(&p), 0.0));
    let g: Vec<f64> = ga.iter().chain(gb.iter()).copied().collect();
    assert_matches_differences(&f, &p, &g, &(0..14).collect::<Vec<_>>(), 1e-8);
    let (da, db) = (
        DMatrix::from_column_slice(3, 2, &common::direction(6, 14)),
        DMatrix::from_column_slice(2, 4, &common::direction(8, 15)),
    );
    let (_, t) = product_sums_jvp(a, &b, da.clone(), db.clone());
    assert!(common::close(t, ga.dot(&da) + gb.dot(&db), 1e-12));
}

/// A `DVector` argument by reference.
#[differentiable]
fn squared_norm(v: &DVector<f64>) -> f64 {
    v.norm_squared()
}

/// A `DVector` argument by value and a `DVector` result.
#[differentiable]
fn sines(v: DVector<f64>, s: f64) -> DVector<f64> {
    v.map(|e| e.sin()) * s
}

/// Composition: the callee's result typed, arguments by reference (`&y`) and by value
/// (`x.clone()`).
#[differentiable]
fn composed(x: DVector<f64>, s: f64) -> f64 {
    let y: DVector<f64> = sines(x.clone(), s);
    squared_norm(&y) + squared_norm(&x) * s + (&y + &x).sum()
}

#[test]
fn dynamic_values_passed_to_differentiable_functions() {
    let p = [0.5, -1.0, 2.0, 0.7];
    let f = |p: &[f64]| composed(dvec(&p[..3]), p[3]);
    let (value, (gx, gs)) = composed_grad(dvec(&p[..3]), p[3]);
    assert!(common::close(value, f(&p), 0.0));
    let g: Vec<f64> = gx.iter().copied().chain([gs]).collect();
    assert_matches_differences(&f, &p, &g, &[0, 1, 2, 3], 1e-8);
    let (dx, ds) = (dvec(&[0.3, -0.8, 0.5]), -0.6);
    let (_, t) = composed_jvp(dvec(&p[..3]), p[3], dx.clone(), ds);
    assert!(common::close(t, gx.dot(&dx) + gs * ds, 1e-12));
    let (_, pullback) = composed_vjp(dvec(&p[..3]), p[3]);
    let (vx, vs) = pullback(1.0);
    assert!((vx - gx).abs().max() <= 1e-15 && (vs - gs).abs() <= 1e-15);
}
