//! Parts of nalgebra values read as owned copies: `rows(i, n)`, `columns(j, n)` (dynamic),
//! the rows and columns of `row_iter()` and `column_iter()`,
//! `fixed_rows::<N>(i)`, `fixed_columns::<N>(j)`, `fixed_view::<R, C>(i, j)` (static; and `column`,
//! `row`), static and dynamic, first and second order; a `DVector`'s `fixed_rows` and a
//! `DMatrix`'s `fixed_view` are static. Each gradient is checked against its
//! analytic form and central differences, and JVP against VJP.

mod common;

use nalgebra::{DMatrix, Matrix3, Vector3};
use tapeless::differentiable;

/// `(v₀² + v₁²) v₂`: the head of a vector, as a view.
#[differentiable(hessian)]
fn head(v: Vector3<f64>) -> f64 {
    v.fixed_rows::<2>(0).norm_squared() * v[2]
}

#[test]
fn a_fixed_view_of_a_vector_first_and_second_order() {
    for v in [Vector3::new(1.0, 2.0, 3.0), Vector3::new(-0.4, 0.9, -1.3)] {
        let (value, g) = head_grad(v);
        assert!(common::close(value, (v[0] * v[0] + v[1] * v[1]) * v[2], 1e-15));
        let exact = Vector3::new(2.0 * v[0] * v[2], 2.0 * v[1] * v[2], v[0] * v[0] + v[1] * v[1]);
        assert!((g - exact).norm() < 1e-13, "{g} vs {exact}");
        let f = |p: &[f64]| head(Vector3::new(p[0], p[1], p[2]));
        for i in 0..3 {
            let fd = common::central(&f, v.as_slice(), i);
            assert!(common::close(g[i], fd, 1e-9), "d/dv{i}: {} vs {fd}", g[i]);
        }
        let d = Vector3::new(0.3, -0.7, 0.2);
        let (_, t) = head_jvp(v, d);
        let (_, pullback) = head_vjp(v);
        assert!(common::close(t, pullback(1.0).dot(&d), 1e-14));
        // H = [[2v₂, 0, 2v₀], [0, 2v₂, 2v₁], [2v₀, 2v₁, 0]], and central differences of `_grad`.
        let (_, _, h) = head_hessian(v);
        let want = Matrix3::new(
            2.0 * v[2],
            0.0,
            2.0 * v[0],
            0.0,
            2.0 * v[2],
            2.0 * v[1],
            2.0 * v[0],
            2.0 * v[1],
            0.0,
        );
        for i in 0..3 {
            for j in 0..3 {
                assert!(common::close(h[(i, j)], want[(i, j)], 1e-13), "H[{i},{j}]");
                let gj = |p: &[f64]| head_grad(Vector3::new(p[0], p[1], p[2])).1[j];
                assert!(common::close(h[(i, j)], common::central(&gj, v.as_slice(), i), 1e-7));
            }
        }
        let (_, _, hv) = head_hvp(v, d);
        assert!((hv - want * d).norm() < 1e-13);
    }
}

/// Blocks of a 3 x 3 matrix: two rows summed, the norm of two columns, a 2 x 2 corner squared.
#[differentiable]
fn blocks(m: Matrix3<f64>) -> f64 {
    m.fixed_rows::<2>(1).sum() + m.fixed_columns::<2>(1).norm() + m.fixed_view::<2, 2>(0, 1).norm_squared()
}

#[test]
fn blocks_of_a_static_matrix() {
    let m = Matrix3::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.5);
    let (value, g) = blocks_grad(m);
    let cols = m.fixed_columns::<2>(1).norm();
    let corner = m.fixed_view::<2, 2>(0, 1);
    assert!(common::close(value, m.fixed_rows::<2>(1).sum() + cols + corner.norm_squared(), 1e-15));
    let mut exact = Matrix3::zeros();
    for i in 0..3 {
        for j in 0..3 {
            exact[(i, j)] = f64::from(i >= 1)
                + if j >= 1 { m[(i, j)] / cols } else { 0.0 }
                + if i < 2 && j >= 1 { 2.0 * m[(i, j)] } else { 0.0 };
        }
    }
    assert!((g - exact).norm() < 1e-13, "{g} vs {exact}");
    let f = |p: &[f64]| blocks(Matrix3::from_column_slice(p));
    for k in 0..9 {
        let fd = common::central(&f, m.as_slice(), k);
        assert!(common::close(g.as_slice()[k], fd, 1e-8), "d/dm{k}: {} vs {fd}", g.as_slice()[k]);
    }
    let d = Matrix3::from_fn(|i, j| 0.1 * (i as f64) - 0.2 * (j as f64) + 0.05);
    let (_, t) = blocks_jvp(m, d);
    let (_, pullback) = blocks_vjp(m);
    assert!(common::close(t, pullback(1.0).dot(&d), 1e-13));
}

/// Two columns of a dynamic matrix squared, and one more summed.
#[differentiable]
fn two_columns(m: &DMatrix<f64>) -> f64 {
    m.columns(0, 2).norm_squared() + m.column(1).sum()
}

#[test]
fn columns_of_a_dynamic_matrix() {
    let m = DMatrix::from_fn(4, 3, |i, j| (i as f64) * 0.5 - (j as f64) + 0.25);
    let (value, g) = two_columns_grad(&m);
    assert!(common::close(value, m.columns(0, 2).norm_squared() + m.column(1).sum(), 1e-15));
    let exact = DMatrix::from_fn(4, 3, |i, j| match j {
        0 => 2.0 * m[(i, j)],
        1 => 2.0 * m[(i, j)] + 1.0,
        _ => 0.0,
    });
    assert!((&g - &exact).norm() < 1e-13, "{g} vs {exact}");
    let f = |p: &[f64]| two_columns(&DMatrix::from_column_slice(4, 3, p));
    for k in 0..12 {
        let fd = common::central(&f, m.as_slice(), k);
        assert!(common::close(g.as_slice()[k], fd, 1e-8), "d/dm{k}: {} vs {fd}", g.as_slice()[k]);
    }
    let d = DMatrix::from_fn(4, 3, |i, j| 0.3 - 0.1 * (i as f64) * (j as f64));
    let (_, t) = two_columns_jvp(&m, d.clone());
    let (_, pullback) = two_columns_vjp(&m);
    assert!(common::close(t, pullback(1.0).dot(&d), 1e-13));
}

/// Static parts of dynamic values: `fixed_rows::<2>(1)` of a `DVector` (a `Vector2`) and
/// `fixed_view::<2, 2>(1, 0)` of a `DMatrix` (a `Matrix2`). Both were "a part of fixed size of a
/// dynamically sized matrix".
#[differentiable]
fn static_parts_of_dynamic(v: &nalgebra::DVector<f64>, m: &DMatrix<f64>) -> f64 {
    v.fixed_rows::<2>(1).norm_squared() * v[0] + m.fixed_view::<2, 2>(1, 0).determinant()
}

#[test]
fn static_parts_of_dynamic_values() {
    let v = nalgebra::DVector::from_vec(vec![0.5, -1.5, 2.0, 0.7]);
    let m = DMatrix::from_fn(3, 3, |i, j| 1.0 + (i as f64) * 0.6 - (j as f64) * 0.9 + (i * j) as f64 * 0.1);
    let (value, (gv, gm)) = static_parts_of_dynamic_grad(&v, &m);
    let det = m[(1, 0)] * m[(2, 1)] - m[(1, 1)] * m[(2, 0)];
    assert!(common::close(value, (v[1] * v[1] + v[2] * v[2]) * v[0] + det, 1e-15));
    // ∂/∂v = (v₁² + v₂², 2 v₁ v₀, 2 v₂ v₀, 0); ∂ det / ∂(m₁₀, m₂₁, m₁₁, m₂₀) = (m₂₁, m₁₀, -m₂₀, -m₁₁).
    let want_v = [v[1] * v[1] + v[2] * v[2], 2.0 * v[1] * v[0], 2.0 * v[2] * v[0], 0.0];
    let mut want_m = DMatrix::zeros(3, 3);
    (want_m[(1, 0)], want_m[(2, 1)], want_m[(1, 1)], want_m[(2, 0)]) =
        (m[(2, 1)], m[(1, 0)], -m[(2, 0)], -m[(1, 1)]);
    for k in 0..4 {
        assert!(common::close(gv[k], want_v[k], 1e-14), "d/dv{k}: {} vs {}", gv[k], want_v[k]);
        let f = |p: &[f64]| static_parts_of_dynamic(&nalgebra::DVector::from_column_slice(p), &m);
        assert!(common::close(gv[k], common::central(&f, v.as_slice(), k), 1e-8));
    }
    assert!((&gm - &want_m).norm() < 1e-14, "{gm} vs {want_m}");
    for k in 0..9 {
        let f = |p: &[f64]| static_parts_of_dynamic(&v, &DMatrix::from_column_slice(3, 3, p));
        assert!(common::close(gm.as_slice()[k], common::central(&f, m.as_slice(), k), 1e-8), "d/dm{k}");
    }
    let (dv, dm) = (
        nalgebra::DVector::from_vec(vec![0.3, -0.2, 0.5, 1.0]),
        DMatrix::from_fn(3, 3, |i, j| 0.2 - 0.1 * (i + 2 * j) as f64),
    );
    let (_, t) = static_parts_of_dynamic_jvp(&v, &m, dv.clone(), dm.clone());
    let (_, pullback) = static_parts_of_dynamic_vjp(&v, &m);
    let (bv, bm) = pullback(1.0);
    assert!(common::close(t, bv.dot(&dv) + bm.dot(&dm), 1e-14), "{t}");
}

/// `Σ_i |row_i| + Σ_j (Σ col_j)²` by nalgebra's row and column iterators.
#[differentiable]
fn row_and_column_iterators(m: &DMatrix<f64>) -> f64 {
    m.row_iter().map(|r| r.norm()).sum::<f64>() + m.column_iter().map(|c| c.sum().powi(2)).sum::<f64>()
}

/// The same over a static matrix.
#[differentiable]
fn static_row_iterator(m: Matrix3<f64>) -> f64 {
    m.row_iter().map(|r| r.norm_squared()).sum()
}

#[test]
fn rows_and_columns_by_their_iterators() {
    let m = DMatrix::from_fn(3, 4, |i, j| (i as f64) * 0.7 - (j as f64) * 0.3 + 0.2);
    let (value, g) = row_and_column_iterators_grad(&m);
    let norms: Vec<f64> = (0..3).map(|i| m.row(i).norm()).collect();
    let sums: Vec<f64> = (0..4).map(|j| m.column(j).sum()).collect();
    assert!(common::close(value, norms.iter().sum::<f64>() + sums.iter().map(|s| s * s).sum::<f64>(), 1e-14));
    let exact = DMatrix::from_fn(3, 4, |i, j| m[(i, j)] / norms[i] + 2.0 * sums[j]);
    assert!((&g - &exact).norm() < 1e-13, "{g} vs {exact}");
    let f = |p: &[f64]| row_and_column_iterators(&DMatrix::from_column_slice(3, 4, p));
    for k in 0..12 {
        let fd = common::central(&f, m.as_slice(), k);
        assert!(common::close(g.as_slice()[k], fd, 1e-8), "d/dm{k}: {} vs {fd}", g.as_slice()[k]);
    }
    let d = DMatrix::from_fn(3, 4, |i, j| 0.3 - 0.1 * (i as f64) * (j as f64));
    let (_, t) = row_and_column_iterators_jvp(&m, d.clone());
    let (_, pullback) = row_and_column_iterators_vjp(&m);
    assert!(common::close(t, pullback(1.0).dot(&d), 1e-13));

    let s = Matrix3::new(1.0, 2.0, 3.0, -1.0, 0.5, 0.25, 2.0, -2.0, 1.5);
    let (value, g) = static_row_iterator_grad(s);
    assert!(common::close(value, s.norm_squared(), 1e-14));
    assert_eq!(g, 2.0 * s);
    let (_, t) = static_row_iterator_jvp(s, Matrix3::identity());
    assert!(common::close(t, 2.0 * s.trace(), 1e-14));
}

/// `xᵀ A x + tr(A)`, a trace generic over `RealField`, and the trace of a dynamic product.
#[differentiable(hessian)]
fn form_and_trace(a: nalgebra::Matrix2<f64>, x: nalgebra::Vector2<f64>) -> f64 {
    (a * x).dot(&x) + a.trace()
}

#[differentiable]
fn generic_trace<T: nalgebra::RealField + Copy>(a: nalgebra::Matrix2<T>) -> T {
    a.trace() * a[(0, 1)]
}

#[differentiable]
fn trace_of_a_product(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    (a * b).trace()
}

#[test]
fn the_trace_first_and_second_order() {
    let (a, x) = (nalgebra::Matrix2::new(1.0, 2.0, 3.0, 4.0), nalgebra::Vector2::new(0.5, -1.0));
    let (value, (ga, gx)) = form_and_trace_grad(a, x);
    assert!(common::close(value, (a * x).dot(&x) + 5.0, 1e-15));
    // ∂/∂A = x xᵀ + I, ∂/∂x = (A + Aᵀ) x.
    assert!((ga - (x * x.transpose() + nalgebra::Matrix2::identity())).norm() < 1e-14, "{ga}");
    assert!((gx - (a + a.transpose()) * x).norm() < 1e-14, "{gx}");
    let (da, dx) = (nalgebra::Matrix2::new(0.3, -0.1, 0.7, 0.2), nalgebra::Vector2::new(-0.4, 0.6));
    let (_, t) = form_and_trace_jvp(a, x, da, dx);
    let (_, pullback) = form_and_trace_vjp(a, x);
    let (pa, px) = pullback(1.0);
    assert!(common::close(t, pa.dot(&da) + px.dot(&dx), 1e-14));
    // The Hessian over (A in column order, x): the trace is linear, so it is the quadratic
    // form's, checked against central differences of `_grad`.
    let (_, _, h) = form_and_trace_hessian(a, x);
    let grad = |p: &[f64]| {
        let (_, (ga, gx)) = form_and_trace_grad(
            nalgebra::Matrix2::from_column_slice(&p[..4]),
            nalgebra::Vector2::new(p[4], p[5]),
        );
        [ga.as_slice(), gx.as_slice()].concat()
    };
    let point: Vec<f64> = a.as_slice().iter().chain(x.as_slice()).copied().collect();
    for i in 0..6 {
        for j in 0..6 {
            let fd = common::central(&|p: &[f64]| grad(p)[j], &point, i);
            assert!(common::close(h[(i, j)], fd, 1e-7), "H[{i},{j}] {} vs {fd}", h[(i, j)]);
            assert!(common::close(h[(i, j)], h[(j, i)], 1e-12));
        }
    }
    // tr(A) a₀₁: ∂/∂A = a₀₁ I + tr(A) e₀₁.
    let (value, g) = generic_trace_grad(a);
    assert!(common::close(value, 5.0 * a[(0, 1)], 1e-15));
    let want = nalgebra::Matrix2::identity() * a[(0, 1)] + nalgebra::Matrix2::new(0.0, 5.0, 0.0, 0.0);
    assert!((g - want).norm() < 1e-14, "{g}");
    let (_, t) = generic_trace_jvp(a, da);
    let (_, pullback) = generic_trace_vjp(a);
    assert!(common::close(t, pullback(1.0).dot(&da), 1e-14));
    // tr(AB): ∂/∂A = Bᵀ, ∂/∂B = Aᵀ.
    let a = DMatrix::from_fn(2, 3, |i, j| 0.5 + i as f64 - 0.3 * j as f64);
    let b = DMatrix::from_fn(3, 2, |i, j| 0.2 * (i * j) as f64 - 0.7);
    let (value, (ga, gb)) = trace_of_a_product_grad(&a, &b);
    assert!(common::close(value, (&a * &b).trace(), 1e-15));
    assert!((ga - b.transpose()).norm() < 1e-14 && (gb - a.transpose()).norm() < 1e-14);
    let (da, db) = (a.map(|e| 0.3 - e * 0.2), b.map(|e| e * e - 0.1));
    let (_, t) = trace_of_a_product_jvp(&a, &b, da.clone(), db.clone());
    let (_, pullback) = trace_of_a_product_vjp(&a, &b);
    let (pa, pb) = pullback(1.0);
    assert!(common::close(t, pa.dot(&da) + pb.dot(&db), 1e-13), "JVP {t}");
}

/// nalgebra's swizzles, `v.xy()`, `v.zyx()`: `|(v₀, v₁)| + (v₂, v₁, v₀) · v`, with a generic
/// version over `RealField`.
#[differentiable(hessian)]
fn swizzled(v: Vector3<f64>) -> f64 {
    v.xy().norm() + v.zyx().dot(&v)
}

#[differentiable]
fn swizzled_generic<T: nalgebra::RealField + Copy>(v: Vector3<T>, w: Vector3<T>) -> T {
    (v.xz() - w.yx()).norm_squared()
}

#[test]
fn swizzles_first_and_second_order() {
    for v in [Vector3::new(1.0, 2.0, 3.0), Vector3::new(-0.4, 0.9, -1.3)] {
        let (value, g) = swizzled_grad(v);
        let r = (v[0] * v[0] + v[1] * v[1]).sqrt();
        assert!(common::close(value, r + 2.0 * v[0] * v[2] + v[1] * v[1], 1e-15));
        let exact = Vector3::new(v[0] / r + 2.0 * v[2], v[1] / r + 2.0 * v[1], 2.0 * v[0]);
        assert!((g - exact).norm() < 1e-13, "{g} vs {exact}");
        let f = |p: &[f64]| swizzled(Vector3::new(p[0], p[1], p[2]));
        for i in 0..3 {
            let fd = common::central(&f, v.as_slice(), i);
            assert!(common::close(g[i], fd, 1e-9), "d/dv{i}: {} vs {fd}", g[i]);
        }
        let d = Vector3::new(0.3, -0.7, 0.2);
        let (_, t) = swizzled_jvp(v, d);
        let (_, pullback) = swizzled_vjp(v);
        assert!(common::close(t, pullback(1.0).dot(&d), 1e-14));
        // H: the norm's [[v₁², -v₀v₁], [-v₀v₁, v₀²]] / r³ in the head, and the product's constants.
        let (_, _, h) = swizzled_hessian(v);
        let r3 = r * r * r;
        let want = Matrix3::new(
            v[1] * v[1] / r3,
            -v[0] * v[1] / r3,
            2.0,
            -v[0] * v[1] / r3,
            v[0] * v[0] / r3 + 2.0,
            0.0,
            2.0,
            0.0,
            0.0,
        );
        for i in 0..3 {
            for j in 0..3 {
                assert!(common::close(h[(i, j)], want[(i, j)], 1e-13), "H[{i},{j}]");
                let gj = |p: &[f64]| swizzled_grad(Vector3::new(p[0], p[1], p[2])).1[j];
                assert!(common::close(h[(i, j)], common::central(&gj, v.as_slice(), i), 1e-7));
            }
        }

        // (v₀ - w₁)² + (v₂ - w₀)².
        let w = Vector3::new(0.5, -0.25, 2.0);
        let (value, (gv, gw)) = swizzled_generic_grad(v, w);
        let (a, b) = (v[0] - w[1], v[2] - w[0]);
        assert!(common::close(value, a * a + b * b, 1e-15));
        assert!((gv - Vector3::new(2.0 * a, 0.0, 2.0 * b)).norm() < 1e-14);
        assert!((gw - Vector3::new(-2.0 * b, -2.0 * a, 0.0)).norm() < 1e-14);
        let (_, t) = swizzled_generic_jvp(v, w, d, -d);
        assert!(common::close(t, gv.dot(&d) - gw.dot(&d), 1e-14));
    }
}

/// `m.diagonal()`: `Σ m_ii² + tr(m m)`, static with its Hessian, and of a dynamic product.
#[differentiable(hessian)]
fn diagonal_terms(m: Matrix3<f64>) -> f64 {
    m.diagonal().norm_squared() + (m * m).diagonal().sum()
}

#[differentiable]
fn diagonal_of_a_product(a: &DMatrix<f64>) -> f64 {
    a.diagonal().map(|e| e.exp()).sum() + (a * a.transpose()).diagonal().norm()
}

#[test]
#[allow(clippy::needless_range_loop)]
fn diagonals_first_and_second_order() {
    let m = Matrix3::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.5);
    let (value, g) = diagonal_terms_grad(m);
    assert!(common::close(value, m.diagonal().norm_squared() + (m * m).trace(), 1e-15));
    // ∂/∂m = 2 diag(m) + 2 mᵀ.
    let want = Matrix3::from_diagonal(&m.diagonal()) * 2.0 + m.transpose() * 2.0;
    assert!((g - want).norm() < 1e-13, "{g} vs {want}");
    let f = |p: &[f64]| diagonal_terms(Matrix3::from_column_slice(p));
    for i in 0..9 {
        let fd = common::central(&f, m.as_slice(), i);
        assert!(common::close(g.as_slice()[i], fd, 1e-9));
    }
    let t = Matrix3::new(0.3, -0.2, 0.1, 0.0, 0.5, -0.4, 0.2, 0.7, -0.1);
    let (_, jv) = diagonal_terms_jvp(m, t);
    let (_, pullback) = diagonal_terms_vjp(m);
    assert!(common::close(jv, pullback(1.0).dot(&t), 1e-14));
    // H: 2 on the diagonal entries' own second derivative, and 2 between m_ij and m_ji.
    let (_, _, h) = diagonal_terms_hessian(m);
    for i in 0..9 {
        for j in 0..9 {
            let (ri, ci, rj, cj) = (i % 3, i / 3, j % 3, j / 3);
            let mut w = 0.0;
            if i == j && ri == ci {
                w += 2.0;
            }
            if ri == cj && ci == rj {
                w += 2.0;
            }
            assert!(common::close(h[(i, j)], w, 1e-14), "H[{i},{j}] = {}", h[(i, j)]);
        }
    }

    let a = DMatrix::from_row_slice(3, 3, &[1.0, 2.0, 0.5, -1.0, 0.25, 0.3, 0.8, -0.6, 1.5]);
    let (_, g) = diagonal_of_a_product_grad(&a);
    let f = |p: &[f64]| diagonal_of_a_product(&DMatrix::from_column_slice(3, 3, p));
    for i in 0..9 {
        let fd = common::central(&f, a.as_slice(), i);
        assert!(common::close(g.as_slice()[i], fd, 1e-9), "entry {i}: {} vs {fd}", g.as_slice()[i]);
    }
    // Analytic: ∂/∂a = diag(e^{a_ii}) + 2 diag(d) a / |d|, d the row norms squared.
    let d: Vec<f64> = (0..3).map(|r| a.row(r).norm_squared()).collect();
    let norm = d.iter().map(|x| x * x).sum::<f64>().sqrt();
    for r in 0..3 {
        for c in 0..3 {
            let want = if r == c { a[(r, r)].exp() } else { 0.0 } + 2.0 * d[r] * a[(r, c)] / norm;
            assert!(common::close(g[(r, c)], want, 1e-13), "({r},{c})");
        }
    }
    let t = DMatrix::from_row_slice(3, 3, &[0.3, -0.2, 0.1, 0.0, 0.5, -0.4, 0.2, 0.7, -0.1]);
    let (_, jv) = diagonal_of_a_product_jvp(&a, t.clone());
    let (_, pullback) = diagonal_of_a_product_vjp(&a);
    assert!(common::close(jv, pullback(1.0).dot(&t), 1e-14));
}

/// `m.determinant()`: static with its Hessian, dynamic (a log-determinant of a Gram matrix),
/// and generic over `RealField`.
#[differentiable(hessian)]
fn determinant3(m: Matrix3<f64>) -> f64 {
    m.determinant()
}

#[differentiable]
fn log_det_gram(a: &DMatrix<f64>) -> f64 {
    (a * a.transpose()).determinant().ln()
}

#[differentiable]
fn determinant_generic<T: nalgebra::RealField + Copy>(m: nalgebra::Matrix2<T>) -> T {
    m.determinant() * m[(0, 0)]
}

#[test]
#[allow(clippy::needless_range_loop)]
fn determinants_first_and_second_order() {
    let m = Matrix3::new(2.0, 1.0, 0.5, 0.3, 3.0, -1.0, 0.2, 0.4, 1.5);
    let (value, g) = determinant3_grad(m);
    assert!(common::close(value, m.determinant(), 1e-14));
    // ∂ det / ∂m = det(m) m⁻ᵀ.
    let want = m.try_inverse().unwrap().transpose() * m.determinant();
    assert!((g - want).norm() < 1e-13, "{g} vs {want}");
    let f = |p: &[f64]| determinant3(Matrix3::from_column_slice(p));
    for i in 0..9 {
        assert!(common::close(g.as_slice()[i], common::central(&f, m.as_slice(), i), 1e-9));
    }
    let t = Matrix3::new(0.3, -0.2, 0.1, 0.0, 0.5, -0.4, 0.2, 0.7, -0.1);
    let (_, jv) = determinant3_jvp(m, t);
    let (_, pullback) = determinant3_vjp(m);
    assert!(common::close(jv, pullback(1.0).dot(&t), 1e-14));
    // The Hessian against central differences of `_grad`, and symmetric. Analytic: ∂²det /
    // ∂m_ij ∂m_kl is the signed 1 x 1 minor left when rows i, k and columns j, l are removed
    // (zero when i = k or j = l).
    let (_, _, h) = determinant3_hessian(m);
    for a in 0..9 {
        for b in 0..9 {
            let (i, j, k, l) = (a % 3, a / 3, b % 3, b / 3);
            let want = if i == k || j == l {
                0.0
            } else {
                let (r, c) = (3 - i - k, 3 - j - l);
                // The sign of the permutation taking (i, k, r) and (j, l, c) to order.
                let sign = |p: [usize; 3]| {
                    let inversions = (p[0] > p[1]) as i32 + (p[0] > p[2]) as i32 + (p[1] > p[2]) as i32;
                    if inversions % 2 == 0 { 1.0 } else { -1.0 }
                };
                sign([i, k, r]) * sign([j, l, c]) * m[(r, c)]
            };
            assert!(common::close(h[(a, b)], want, 1e-14), "H[{a},{b}] = {} vs {want}", h[(a, b)]);
            assert!(common::close(h[(a, b)], h[(b, a)], 1e-12));
            let gb = |p: &[f64]| determinant3_grad(Matrix3::from_column_slice(p)).1.as_slice()[b];
            assert!(common::close(h[(a, b)], common::central(&gb, m.as_slice(), a), 1e-7));
        }
    }
    // A singular matrix: the determinant is zero, its gradient (the cofactors) is not.
    let singular = Matrix3::new(1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 0.5, -1.0, 2.0);
    let (value, g) = determinant3_grad(singular);
    assert!(value.abs() < 1e-13);
    for i in 0..9 {
        let f = |p: &[f64]| determinant3(Matrix3::from_column_slice(p));
        assert!(common::close(g.as_slice()[i], common::central(&f, singular.as_slice(), i), 1e-8));
    }
    assert!(g.norm() > 1.0);

    // ∂ ln det(A Aᵀ) / ∂A = 2 (A Aᵀ)⁻¹ A.
    let a = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 0.5, -1.0, 0.25]);
    let (_, g) = log_det_gram_grad(&a);
    let gram = &a * a.transpose();
    let want = gram.try_inverse().unwrap() * &a * 2.0;
    assert!((&g - &want).norm() < 1e-13, "{g} vs {want}");
    let t = DMatrix::from_row_slice(2, 3, &[0.3, -0.2, 0.1, 0.0, 0.5, -0.4]);
    let (_, jv) = log_det_gram_jvp(&a, t.clone());
    assert!(common::close(jv, g.dot(&t), 1e-13));

    let m2 = nalgebra::Matrix2::new(1.0, 2.0, 3.0, 4.0);
    let (value, g) = determinant_generic_grad(m2);
    assert_eq!(value, -2.0);
    assert!((g - nalgebra::Matrix2::new(2.0, -3.0, -2.0, 1.0)).norm() < 1e-14, "{g}");
    let t2 = nalgebra::Matrix2::new(0.3, -0.2, 0.1, 0.5);
    let (_, jv) = determinant_generic_jvp(m2, t2);
    let (_, pullback) = determinant_generic_vjp(m2);
    assert!(common::close(jv, pullback(1.0).dot(&t2), 1e-14));
}

/// `m.try_inverse().unwrap()` (or `.expect("..")`): a quadratic form of the inverse with its
/// Hessian, the trace of an inverse, and least squares through the normal equations.
#[differentiable(hessian)]
fn inverse_form(m: nalgebra::Matrix2<f64>, b: nalgebra::Vector2<f64>) -> f64 {
    let inv = m.try_inverse().unwrap();
    b.dot(&(inv * b))
}

#[differentiable]
fn trace_of_inverse(m: Matrix3<f64>) -> f64 {
    m.try_inverse().unwrap().trace()
}

#[differentiable]
fn normal_equations(a: &DMatrix<f64>, y: &nalgebra::DVector<f64>) -> f64 {
    let gram = a.transpose() * a;
    let x = gram.try_inverse().expect("singular") * (a.transpose() * y);
    x.norm_squared()
}

#[test]
#[allow(clippy::needless_range_loop)]
fn inverses_first_and_second_order() {
    use nalgebra::{DVector, Matrix2, Vector2};
    let (m, b) = (Matrix2::new(4.0, 1.0, 2.0, 3.0), Vector2::new(1.0, -1.0));
    let (value, (gm, gb)) = inverse_form_grad(m, b);
    let inv = m.try_inverse().unwrap();
    assert!(common::close(value, b.dot(&(inv * b)), 1e-15));
    // ∂/∂M = -M⁻ᵀ b bᵀ M⁻ᵀ, ∂/∂b = (M⁻¹ + M⁻ᵀ) b.
    let (u, v) = (inv.transpose() * b, inv * b);
    assert!((gm + u * v.transpose()).norm() < 1e-14, "{gm}");
    assert!((gb - (inv + inv.transpose()) * b).norm() < 1e-14, "{gb}");
    let (tm, tb) = (Matrix2::new(0.3, -0.2, 0.1, 0.5), Vector2::new(0.4, 0.7));
    let (_, jv) = inverse_form_jvp(m, b, tm, tb);
    let (_, pullback) = inverse_form_vjp(m, b);
    let (bm, bb) = pullback(1.0);
    assert!(common::close(jv, bm.dot(&tm) + bb.dot(&tb), 1e-14));
    // The Hessian against central differences of `_grad`, symmetric.
    let (_, _, h) = inverse_form_hessian(m, b);
    let x: Vec<f64> = m.iter().chain(b.iter()).copied().collect();
    let split = |p: &[f64]| (Matrix2::from_column_slice(&p[..4]), Vector2::new(p[4], p[5]));
    for i in 0..6 {
        for j in 0..6 {
            let gj = |p: &[f64]| {
                let (pm, pb) = split(p);
                let (_, (gm, gb)) = inverse_form_grad(pm, pb);
                if j < 4 { gm.as_slice()[j] } else { gb[j - 4] }
            };
            assert!(common::close(h[(i, j)], common::central(&gj, &x, i), 1e-7), "H[{i},{j}]");
            assert!(common::close(h[(i, j)], h[(j, i)], 1e-12));
        }
    }
    // ∂ tr(M⁻¹) / ∂M = -(M⁻²)ᵀ.
    let m3 = Matrix3::new(2.0, 1.0, 0.5, 0.3, 3.0, -1.0, 0.2, 0.4, 1.5);
    let (_, g) = trace_of_inverse_grad(m3);
    let inv3 = m3.try_inverse().unwrap();
    assert!((g + (inv3 * inv3).transpose()).norm() < 1e-14, "{g}");
    let t3 = Matrix3::new(0.3, -0.2, 0.1, 0.0, 0.5, -0.4, 0.2, 0.7, -0.1);
    let (_, jv) = trace_of_inverse_jvp(m3, t3);
    let (_, pullback) = trace_of_inverse_vjp(m3);
    assert!(common::close(jv, pullback(1.0).dot(&t3), 1e-14));
    // Least squares: central differences in A and y, and forward against reverse.
    let a = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 0.5, -1.0, 0.3, 0.7]);
    let y = DVector::from_vec(vec![1.0, 0.0, 2.0]);
    let (_, (ga, gy)) = normal_equations_grad(&a, &y);
    let f = |p: &[f64]| normal_equations(&DMatrix::from_column_slice(3, 2, p), &y);
    for i in 0..6 {
        assert!(common::close(ga.as_slice()[i], common::central(&f, a.as_slice(), i), 1e-8));
    }
    let f = |p: &[f64]| normal_equations(&a, &DVector::from_column_slice(p));
    for i in 0..3 {
        assert!(common::close(gy[i], common::central(&f, y.as_slice(), i), 1e-8));
    }
    let (ta, ty) = (
        DMatrix::from_row_slice(3, 2, &[0.3, -0.2, 0.1, 0.5, -0.4, 0.2]),
        DVector::from_vec(vec![0.7, -0.1, 0.3]),
    );
    let (_, jv) = normal_equations_jvp(&a, &y, ta.clone(), ty.clone());
    assert!(common::close(jv, ga.dot(&ta) + gy.dot(&ty), 1e-13));
}

/// The angle between two vectors plus a term of their cross product: static, then dynamic.
#[differentiable]
fn angle_static(a: &Vector3<f64>, b: &Vector3<f64>) -> f64 {
    a.angle(b) + 0.5 * a.cross(b).norm_squared()
}

#[differentiable]
fn angle_dynamic(a: &nalgebra::DVector<f64>, b: &nalgebra::DVector<f64>) -> f64 {
    a.angle(b) * a.norm()
}

/// `∂θ/∂a = -(b / (|a| |b|) - cos θ a / |a|²) / sin θ`.
fn angle_gradient_by_hand(a: &[f64], b: &[f64]) -> Vec<f64> {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let (na, nb) = (a.iter().map(|x| x * x).sum::<f64>().sqrt(), b.iter().map(|x| x * x).sum::<f64>().sqrt());
    let c = dot / (na * nb);
    let s = (1.0 - c * c).sqrt();
    a.iter().zip(b).map(|(x, y)| -(y / (na * nb) - c * x / (na * na)) / s).collect()
}

#[test]
fn the_angle_between_two_vectors() {
    for (a, b) in [
        (Vector3::new(1.0, 0.2, 0.0), Vector3::new(0.3, 1.0, 0.5)),
        (Vector3::new(-0.4, 0.9, -1.3), Vector3::new(2.0, -0.1, 0.7)),
        (Vector3::new(0.5, 0.5, 0.5), Vector3::new(0.1, -0.3, 0.9)),
    ] {
        let (value, (ga, gb)) = angle_static_grad(&a, &b);
        assert!(common::close(value, angle_static(&a, &b), 1e-15));
        // The cross term: ∂(½|a × b|²)/∂a = |b|² a - (a·b) b.
        let cross_a = a * b.norm_squared() - b * a.dot(&b);
        let cross_b = b * a.norm_squared() - a * a.dot(&b);
        let want_a: Vec<f64> = angle_gradient_by_hand(a.as_slice(), b.as_slice())
            .iter()
            .zip(cross_a.iter())
            .map(|(x, y)| x + y)
            .collect();
        let want_b: Vec<f64> = angle_gradient_by_hand(b.as_slice(), a.as_slice())
            .iter()
            .zip(cross_b.iter())
            .map(|(x, y)| x + y)
            .collect();
        common::assert_close(ga.as_slice(), &want_a, 1e-13, "d/da");
        common::assert_close(gb.as_slice(), &want_b, 1e-13, "d/db");
        let f = |p: &[f64]| angle_static(&Vector3::new(p[0], p[1], p[2]), &Vector3::new(p[3], p[4], p[5]));
        let at = [a.as_slice(), b.as_slice()].concat();
        let g = [ga.as_slice(), gb.as_slice()].concat();
        common::gradient_central("angle_static", &f, &at, &g, 1e-7);
        let (ta, tb) = (Vector3::new(0.3, -0.2, 0.5), Vector3::new(-0.1, 0.4, 0.2));
        let (_, t) = angle_static_jvp(&a, &b, ta, tb);
        let (_, pullback) = angle_static_vjp(&a, &b);
        let (ua, ub) = pullback(1.4);
        let v = [ta.as_slice(), tb.as_slice()].concat();
        common::forward_against_reverse(
            "angle_static",
            t,
            &v,
            1.4,
            &[ua.as_slice(), ub.as_slice()].concat(),
            1e-13,
        );

        let (da, db) = (
            nalgebra::DVector::from_row_slice(a.as_slice()),
            nalgebra::DVector::from_row_slice(b.as_slice()),
        );
        let (_, (ga, gb)) = angle_dynamic_grad(&da, &db);
        let fd = |p: &[f64]| {
            angle_dynamic(
                &nalgebra::DVector::from_row_slice(&p[..3]),
                &nalgebra::DVector::from_row_slice(&p[3..]),
            )
        };
        common::gradient_central("angle_dynamic", &fd, &at, &[ga.as_slice(), gb.as_slice()].concat(), 1e-7);
        let (dta, dtb) = (
            nalgebra::DVector::from_row_slice(ta.as_slice()),
            nalgebra::DVector::from_row_slice(tb.as_slice()),
        );
        let (_, t) = angle_dynamic_jvp(&da, &db, dta, dtb);
        let (_, pullback) = angle_dynamic_vjp(&da, &db);
        let (ua, ub) = pullback(0.6);
        common::forward_against_reverse(
            "angle_dynamic",
            t,
            &v,
            0.6,
            &[ua.as_slice(), ub.as_slice()].concat(),
            1e-13,
        );
    }
    // Parallel vectors: the angle has no derivative; the convention is zero.
    let a = Vector3::new(1.0, 2.0, 3.0);
    let (_, (ga, _)) = angle_dynamic_grad(
        &nalgebra::DVector::from_row_slice(a.as_slice()),
        &nalgebra::DVector::from_row_slice((a * 2.0).as_slice()),
    );
    assert!(ga.iter().all(|g| g.is_finite()), "{ga:?}");
}
