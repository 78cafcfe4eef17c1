//! nalgebra's reductions other than `sum`: `max`, `min`, `amax`, `amin` (the picked entry's
//! derivative, shared on ties), `mean`, `variance`, and the sums along one direction
//! `column_sum` and `row_sum`, and sums of slices of vectors (`ps.iter().sum()`); checked against analytic gradients, central differences, and forward against
//! reverse.

#![allow(clippy::needless_range_loop)]

mod common;

use nalgebra::{DMatrix, DVector, Matrix2x3, Matrix3, RealField, SVector, Vector3};
use tapeless::differentiable;

#[differentiable]
fn extremes(v: &DVector<f64>, m: &Matrix3<f64>) -> f64 {
    v.amax() + 2.0 * v.max() - v.min() + 0.5 * v.amin() + (m * m).max() + v.map(|x| x * x).max()
}

#[differentiable(hessian)]
fn sums_along(m: &Matrix2x3<f64>) -> f64 {
    m.column_sum().norm_squared() + 3.0 * m.row_sum().sum() * m[(0, 1)]
}

#[differentiable]
fn dynamic_sums(m: &DMatrix<f64>) -> f64 {
    let c = m.column_sum();
    let r = m.row_sum();
    c.norm_squared() + r.sum() * 0.5 + m.mean() * 3.0
}

#[test]
fn max_min_amax_amin_pick_one_entry() {
    let v = DVector::from_vec(vec![0.3, -2.0, 1.5, 0.1]);
    let m = Matrix3::new(1.0, 2.0, 3.0, 0.5, -1.0, 0.2, 0.3, 0.4, -0.7);
    let (value, (gv, gm)) = extremes_grad(&v, &m);
    assert!(common::close(value, extremes(&v, &m), 1e-15));
    // amax is |v₁| = 2 (derivative -1 at v₁), max is v₂, min is v₁, amin is |v₃| (+1 at v₃), the
    // max of the squares is v₁² (2 v₁ = -4 at v₁).
    let want = DVector::from_vec(vec![0.0, -1.0 - 1.0 - 4.0, 2.0, 0.5]);
    assert!((&gv - &want).norm() < 1e-15, "{gv} vs {want}");
    // (m m).max() is entry (i, j) of m m = Σ_k m_ik m_kj (here (0, 0), no tie): its derivative
    // puts m_kj on row i and m_ik on column j.
    let mm = m * m;
    let (i, j) = (0..9).map(|k| (k % 3, k / 3)).fold((0, 0), |b, p| if mm[p] > mm[b] { p } else { b });
    assert!((0..9).filter(|&k| mm[k] == mm[(i, j)]).count() == 1);
    let mut want_m = Matrix3::zeros();
    for k in 0..3 {
        want_m[(i, k)] += m[(k, j)];
        want_m[(k, j)] += m[(i, k)];
    }
    assert!((gm - want_m).norm() < 1e-14, "{gm} vs {want_m}");
    let f = |p: &[f64]| extremes(&DVector::from_column_slice(&p[..4]), &Matrix3::from_column_slice(&p[4..]));
    let x: Vec<f64> = v.iter().chain(m.iter()).copied().collect();
    let g: Vec<f64> = gv.iter().chain(gm.iter()).copied().collect();
    for k in 0..x.len() {
        assert!(common::close(g[k], common::central(&f, &x, k), 1e-8), "{k}");
    }
    let t = common::direction(13, 7);
    let (tv, tm) = (DVector::from_column_slice(&t[..4]), Matrix3::from_column_slice(&t[4..]));
    let (_, jv) = extremes_jvp(&v, &m, tv.clone(), tm);
    let (_, pullback) = extremes_vjp(&v, &m);
    let (bv, bm) = pullback(1.5);
    assert!(common::close(1.5 * jv, bv.dot(&tv) + bm.dot(&tm), 1e-13));
}

#[test]
fn a_tie_shares_the_derivative() {
    // max(v) with v₀ = v₂: half to each, as `a.max(b)` does.
    let v = DVector::from_vec(vec![1.0, 0.5, 1.0]);
    let m = Matrix3::zeros();
    let (_, (gv, _)) = extremes_grad(&v, &m);
    // amax ties too (v₀, v₂), min is v₁, amin is v₁, the square's max ties (v₀, v₂).
    let want = DVector::from_vec(vec![0.5 + 1.0 + 1.0, -1.0 + 0.5, 0.5 + 1.0 + 1.0]);
    assert!((&gv - &want).norm() < 1e-15, "{gv} vs {want}");
    // Forward mode shares the tie the same way: <u, J t> = <Jᵀ u, t>.
    let t = DVector::from_vec(common::direction(3, 29));
    let tm = Matrix3::from_column_slice(&common::direction(9, 31));
    let (_, jv) = extremes_jvp(&v, &m, t.clone(), tm);
    let (_, pullback) = extremes_vjp(&v, &m);
    let (bv, bm) = pullback(0.5);
    assert!(common::close(0.5 * jv, bv.dot(&t) + bm.dot(&tm), 1e-14));
}

#[test]
fn column_and_row_sums_first_and_second_order() {
    let m = Matrix2x3::new(0.1, 0.2, 0.3, -0.4, 0.5, 0.6);
    let (value, g) = sums_along_grad(&m);
    assert!(common::close(value, sums_along(&m), 1e-15));
    // ∂/∂m_ij of |column_sum|² is 2 c_i; of 3 (Σ m) m₀₁ it is 3 m₀₁, plus 3 Σ m at (0, 1).
    let c = m.column_sum();
    let total = m.sum();
    let mut want = Matrix2x3::from_fn(|i, _| 2.0 * c[i] + 3.0 * m[(0, 1)]);
    want[(0, 1)] += 3.0 * total;
    assert!((g - want).norm() < 1e-14, "{g} vs {want}");
    let f = |p: &[f64]| sums_along(&Matrix2x3::from_column_slice(p));
    for k in 0..6 {
        assert!(common::close(g[k], common::central(&f, m.as_slice(), k), 1e-8));
    }
    let t = Matrix2x3::from_column_slice(&common::direction(6, 11));
    let (_, jv) = sums_along_jvp(&m, t);
    let (_, pullback) = sums_along_vjp(&m);
    assert!(common::close(jv, pullback(1.0).dot(&t), 1e-13));
    // Hessian: 2 where the rows match (the column sums' square), plus 3 on row and column (0, 1)
    // (storage index 2), 6 on its diagonal.
    let (_, _, h) = sums_along_hessian(&m);
    for a in 0..6 {
        for b in 0..6 {
            let mut want = if a % 2 == b % 2 { 2.0 } else { 0.0 };
            want += if a == 2 { 3.0 } else { 0.0 } + if b == 2 { 3.0 } else { 0.0 };
            assert!(common::close(h[(a, b)], want, 1e-14), "H[{a},{b}] = {} vs {want}", h[(a, b)]);
            assert!(common::close(h[(a, b)], h[(b, a)], 1e-12));
            let gb = |p: &[f64]| sums_along_grad(&Matrix2x3::from_column_slice(p)).1[b];
            assert!(common::close(h[(a, b)], common::central(&gb, m.as_slice(), a), 1e-7));
        }
    }
}

#[test]
fn dynamic_column_sum_row_sum_and_mean() {
    let m = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, -5.0, 6.0]);
    let (value, g) = dynamic_sums_grad(&m);
    assert!(common::close(value, dynamic_sums(&m), 1e-15));
    let c = m.column_sum();
    let want = DMatrix::from_fn(2, 3, |i, _| 2.0 * c[i] + 0.5 + 3.0 / 6.0);
    assert!((&g - &want).norm() < 1e-14, "{g} vs {want}");
    let f = |p: &[f64]| dynamic_sums(&DMatrix::from_column_slice(2, 3, p));
    for k in 0..6 {
        assert!(common::close(g[k], common::central(&f, m.as_slice(), k), 1e-8));
    }
    let t = DMatrix::from_column_slice(2, 3, &common::direction(6, 13));
    let (_, jv) = dynamic_sums_jvp(&m, t.clone());
    assert!(common::close(jv, g.dot(&t), 1e-13));
}

/// nalgebra's population variance of a vector's entries and of a matrix's, mixed with other terms.
#[differentiable]
fn spreads(v: &SVector<f64, 4>, m: &DMatrix<f64>) -> f64 {
    let y = v.map(|x| x.tanh());
    y.variance() * 3.0 + v.variance().sqrt() + (m * 2.0).variance() * v[0]
}

#[test]
fn variance_of_static_and_dynamic_values() {
    let m = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 0.5, -4.0, 0.25, 3.0]);
    let points = [[0.3, -0.5, 2.0, 1.0], [1.2, 0.1, -0.7, 0.4], [-2.0, 0.5, 0.6, 0.9]];
    for p in points {
        let v = SVector::<f64, 4>::from_column_slice(&p);
        let (value, (gv, gm)) = spreads_grad(&v, &m);
        assert!(common::close(value, spreads(&v, &m), 1e-15));
        // d var(x) / dx_i = 2 (x_i - mean) / n, through y = tanh(v) (dy/dv = 1 - y²) and through
        // the square root; var(2m) = 4 var(m).
        let var = |x: &[f64]| {
            let mean = x.iter().sum::<f64>() / x.len() as f64;
            x.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / x.len() as f64
        };
        let d_var =
            |x: &[f64], i: usize| 2.0 * (x[i] - x.iter().sum::<f64>() / x.len() as f64) / x.len() as f64;
        let y: Vec<f64> = p.iter().map(|x| x.tanh()).collect();
        for i in 0..4 {
            let mut want = 3.0 * d_var(&y, i) * (1.0 - y[i] * y[i]) + d_var(&p, i) / (2.0 * var(&p).sqrt());
            if i == 0 {
                want += 4.0 * var(m.as_slice());
            }
            assert!(common::close(gv[i], want, 1e-13), "{i}: {} vs {want}", gv[i]);
            let f = |q: &[f64]| spreads(&SVector::<f64, 4>::from_column_slice(q), &m);
            assert!(common::close(gv[i], common::central(&f, &p, i), 1e-8));
        }
        for k in 0..6 {
            let want = 4.0 * p[0] * d_var(m.as_slice(), k);
            assert!(common::close(gm[k], want, 1e-13), "{k}: {} vs {want}", gm[k]);
        }
        // Forward against reverse.
        let (tv, tm) = (
            SVector::<f64, 4>::from_column_slice(&common::direction(4, 3)),
            DMatrix::from_column_slice(2, 3, &common::direction(6, 5)),
        );
        let (_, jv) = spreads_jvp(&v, &m, tv, tm.clone());
        assert!(common::close(jv, gv.dot(&tv) + gm.dot(&tm), 1e-13));
    }
}

/// Sums of slices of vectors as iterators give them (nalgebra's `Sum`): before, the sum started
/// from the float `0.0`, rustc's E0277 inside generated code.
#[differentiable]
fn vector_sums(ps: &[Vector3<f64>], ds: &[DVector<f64>]) -> f64 {
    let s: Vector3<f64> = ps.iter().sum();
    let t: Vector3<f64> = ps.iter().map(|p| p * 2.0).sum();
    let u = ds.iter().map(|d| d * 0.5).sum::<DVector<f64>>();
    let d: DVector<f64> = ds.iter().sum();
    s.norm() + t.x * t.y + d.norm_squared() + u[1]
}

#[differentiable]
fn generic_vector_sum<T: RealField + Copy>(ps: &[Vector3<T>]) -> T {
    let s: Vector3<T> = ps.iter().sum();
    s.norm()
}

#[test]
fn sums_of_slices_of_vectors() {
    let vectors = |x: &[f64]| -> Vec<Vector3<f64>> { x.chunks(3).map(Vector3::from_column_slice).collect() };
    let dynamic = |x: &[f64]| -> Vec<DVector<f64>> { x.chunks(2).map(DVector::from_column_slice).collect() };
    let flat = |g: &(Vec<Vector3<f64>>, Vec<DVector<f64>>)| -> Vec<f64> {
        g.0.iter()
            .flat_map(|v| v.iter().copied())
            .chain(g.1.iter().flat_map(|v| v.iter().copied().collect::<Vec<_>>()))
            .collect()
    };
    // Six entries of two vectors, then four of two dynamic ones.
    let split = |x: &[f64]| (vectors(&x[..6]), dynamic(&x[6..]));
    let fns = common::Fns {
        name: "vector_sums",
        f: &|x| {
            let (p, d) = split(x);
            vector_sums(&p, &d)
        },
        jvp: &|x, t| {
            let ((p, d), (tp, td)) = (split(x), split(t));
            vector_sums_jvp(&p, &d, tp, td)
        },
        vjp: &|x, u| {
            let (p, d) = split(x);
            let (v, pullback) = vector_sums_vjp(&p, &d);
            (v, flat(&pullback(u)))
        },
        grad: &|x| {
            let (p, d) = split(x);
            let (v, g) = vector_sums_grad(&p, &d);
            (v, flat(&g))
        },
    };
    let points: [&[f64]; 3] = [
        &[0.3, 1.2, -0.7, 2.1, 0.9, 1.5, 0.2, -0.4, 1.1, 0.5],
        &[1.0, -1.0, 0.5, 0.25, 2.0, -0.3, 1.5, 0.7, -0.2, 0.9],
        &[-0.6, 0.1, 0.8, 1.3, -0.9, 0.4, 0.0, 0.3, 2.0, -1.0],
    ];
    common::check(&fns, &points, 1e-8);
    // Analytic: with s = p0 + p1, t = 2 s and d = d0 + d1, the gradient by p_k is
    // s/|s| + 2 (t.y, t.x, 0), and by d_k it is 2 d + (0, 0.5).
    let (p, d) = split(points[0]);
    let (_, (gp, gd)) = vector_sums_grad(&p, &d);
    let (s, dd) = (p[0] + p[1], &d[0] + &d[1]);
    let t = s * 2.0;
    let want = s / s.norm() + Vector3::new(2.0 * t.y, 2.0 * t.x, 0.0);
    for k in 0..2 {
        assert!((gp[k] - want).norm() <= 1e-14, "{}", gp[k]);
        let want_d = &dd * 2.0 + DVector::from_vec(vec![0.0, 0.5]);
        assert!((&gd[k] - want_d).norm() <= 1e-14, "{}", gd[k]);
    }
    // Generic over RealField, at f64: s / |s| for each vector; none of an empty slice.
    let (v, g) = generic_vector_sum_grad(&p);
    assert!(common::close(v, s.norm(), 1e-15));
    assert!(g.iter().all(|gk| (gk - s / s.norm()).norm() <= 1e-15));
    let (t0, t1) = (Vector3::new(0.2, -0.1, 0.4), Vector3::new(1.0, 0.5, -0.3));
    let (_, jv) = generic_vector_sum_jvp(&p, vec![t0, t1]);
    assert!(common::close(jv, g[0].dot(&t0) + g[1].dot(&t1), 1e-14));
    assert_eq!(generic_vector_sum_grad(&[]), (0.0, vec![]));
}

/// Means along one direction and the triangles: linear methods with a runtime adjoint
/// (`Custom::LinearMethod`). With `a = m.column_mean()` (a mean per row), `b = m.row_mean()` (per
/// column): `|a|² + b·w + Σ lower(m)² + Σ upper(m) m[(0, 0)]`.
#[differentiable]
fn means_and_triangles(m: &Matrix3<f64>, d: &DMatrix<f64>) -> f64 {
    let w = nalgebra::RowVector3::new(1.0, -2.0, 0.5);
    let a = m.column_mean();
    let b = m.row_mean();
    let low = m.lower_triangle();
    a.norm_squared()
        + b.dot(&w)
        + low.norm_squared()
        + m.upper_triangle().sum() * m[(0, 0)]
        + d.column_mean().sum() * d.row_mean().norm()
        + d.lower_triangle().sum()
}

/// The triangles under second order (means have no second-order rule: tests/ui).
#[differentiable(hessian)]
fn triangles(m: &Matrix3<f64>) -> f64 {
    m.lower_triangle().norm_squared() + m.upper_triangle().sum() * m[(1, 1)]
}

#[test]
fn means_along_a_direction_and_triangles() {
    let m = Matrix3::new(1.0, 2.0, 3.0, 0.5, -1.0, 0.2, 0.3, 0.4, -0.7);
    let d = DMatrix::from_row_slice(2, 3, &[0.2, -0.4, 1.1, 0.9, 0.3, -0.6]);
    let (value, (gm, gd)) = means_and_triangles_grad(&m, &d);
    assert!(common::close(value, means_and_triangles(&m, &d), 1e-15));
    // Analytic for m: ∂|a|²/∂m_ij = 2 a_i / 3; ∂(b·w)/∂m_ij = w_j / 3; 2 m_ij below or on the
    // diagonal; m_00 on and above it, plus Σ upper at (0, 0).
    let a = m.column_mean();
    let w = [1.0, -2.0, 0.5];
    let mut want = Matrix3::from_fn(|i, j| 2.0 * a[i] / 3.0 + w[j] / 3.0);
    for i in 0..3 {
        for j in 0..3 {
            if j <= i {
                want[(i, j)] += 2.0 * m[(i, j)];
            }
            if j >= i {
                want[(i, j)] += m[(0, 0)];
            }
        }
    }
    want[(0, 0)] += m.upper_triangle().sum();
    assert!((gm - want).norm() <= 1e-14, "{gm} vs {want}");
    // Central differences over both, and forward against reverse.
    let f = |p: &[f64]| {
        means_and_triangles(&Matrix3::from_column_slice(&p[..9]), &DMatrix::from_column_slice(2, 3, &p[9..]))
    };
    let x: Vec<f64> = m.iter().chain(d.iter()).copied().collect();
    let g: Vec<f64> = gm.iter().chain(gd.iter()).copied().collect();
    for k in 0..x.len() {
        assert!(
            common::close(g[k], common::central(&f, &x, k), 1e-8),
            "{k}: {} vs {}",
            g[k],
            common::central(&f, &x, k)
        );
    }
    let t = common::direction(15, 3);
    let (tm, td) = (Matrix3::from_column_slice(&t[..9]), DMatrix::from_column_slice(2, 3, &t[9..]));
    let (_, jv) = means_and_triangles_jvp(&m, &d, tm, td.clone());
    let (_, pullback) = means_and_triangles_vjp(&m, &d);
    let (bm, bd) = pullback(0.7);
    assert!(common::close(0.7 * jv, bm.dot(&tm) + bd.dot(&td), 1e-13));

    // Second order: the Hessian of the triangles against its analytic form and central
    // differences of the gradient. With s = Σ upper: H = 2 on the lower entries' diagonal, and
    // the cross terms between m_11 and each upper entry (2 at (11, 11) itself).
    let (_, _, h) = triangles_hessian(&m);
    let idx = |i: usize, j: usize| i + 3 * j;
    let mut want_h = DMatrix::<f64>::zeros(9, 9);
    for i in 0..3 {
        for j in 0..3 {
            if j <= i {
                want_h[(idx(i, j), idx(i, j))] += 2.0;
            }
            if j >= i {
                want_h[(idx(i, j), idx(1, 1))] += 1.0;
                want_h[(idx(1, 1), idx(i, j))] += 1.0;
            }
        }
    }
    assert!((&h - &want_h).norm() <= 1e-13, "{h} vs {want_h}");
    let xm: Vec<f64> = m.iter().copied().collect();
    for c in 0..9 {
        let column = |p: &[f64]| triangles_grad(&Matrix3::from_column_slice(p)).1[c];
        for r in 0..9 {
            assert!(common::close(h[(r, c)], common::central(&column, &xm, r), 1e-7), "H[{r},{c}]");
        }
    }
}
