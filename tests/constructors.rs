//! Residual vectors built the way least-squares code builds them: `DVector::from_fn(n, |i, _|
//! ..)` and `DVector::from_vec(v)` of a collected `Vec`. Each `_jacobian` is checked against
//! the analytic Jacobian, central differences, columns from `_jvp` and rows from `_vjp`. Also a
//! `collect()` typed by the result, `std::array::from_fn`, and static vectors from slices
//! (`Vector3::from_column_slice(&x[..3])`), used whole.

mod common;

use common::{assert_close, central_gradient, check_jacobian, close};
use nalgebra::{DMatrix, DVector, SVector};
use tapeless::differentiable;

/// `r_i = a e^{-k t_i} - y_i` by `from_fn`.
#[differentiable(jacobian, wrt(p))]
fn decay_from_fn(p: &SVector<f64, 2>, t: &[f64], y: &[f64]) -> DVector<f64> {
    DVector::from_fn(t.len(), |i, _| p[0] * (-p[1] * t[i]).exp() - y[i])
}

/// The same residuals collected into a `Vec`, then `from_vec`.
#[differentiable(jacobian, wrt(p))]
fn decay_from_vec(p: &SVector<f64, 2>, t: &[f64], y: &[f64]) -> DVector<f64> {
    let r: Vec<f64> = t.iter().zip(y).map(|(&ti, &yi)| p[0] * (-p[1] * ti).exp() - yi).collect();
    DVector::from_vec(r)
}

/// The same residuals straight from the chain, `from_iterator`.
#[differentiable(jacobian, wrt(p))]
fn decay_from_iterator(p: &SVector<f64, 2>, t: &[f64], y: &[f64]) -> DVector<f64> {
    DVector::from_iterator(t.len(), t.iter().zip(y).map(|(&ti, &yi)| p[0] * (-p[1] * ti).exp() - yi))
}

#[test]
fn residuals_from_fn_and_from_vec() {
    let t = [0.0, 0.5, 1.0, 2.0, 3.5];
    let y = [2.1, 1.5, 1.2, 0.7, 0.3];
    type Residuals = fn(&SVector<f64, 2>, &[f64], &[f64]) -> DVector<f64>;
    type Jacobian = fn(&SVector<f64, 2>, &[f64], &[f64]) -> (DVector<f64>, DMatrix<f64>);
    type Jvp = fn(&SVector<f64, 2>, &[f64], &[f64], SVector<f64, 2>) -> (DVector<f64>, DVector<f64>);
    let variants: [(&str, Residuals, Jacobian, Jvp); 3] = [
        ("from_fn", decay_from_fn, decay_from_fn_jacobian, decay_from_fn_jvp),
        ("from_vec", decay_from_vec, decay_from_vec_jacobian, decay_from_vec_jvp),
        ("from_iterator", decay_from_iterator, decay_from_iterator_jacobian, decay_from_iterator_jvp),
    ];
    for (name, f, jacobian, jvp) in variants {
        for p in [
            SVector::<f64, 2>::new(2.0, 0.5),
            SVector::<f64, 2>::new(-1.0, 1.5),
            SVector::<f64, 2>::new(0.3, 0.0),
        ] {
            let (value, j) = jacobian(&p, &t, &y);
            assert_eq!(value, f(&p, &t, &y));
            let exact = DMatrix::from_fn(t.len(), 2, |i, c| match c {
                0 => (-p[1] * t[i]).exp(),
                _ => -p[0] * t[i] * (-p[1] * t[i]).exp(),
            });
            let flat = |q: &[f64]| f(&SVector::<f64, 2>::new(q[0], q[1]), &t, &y).as_slice().to_vec();
            check_jacobian(name, &j, &exact, &flat, p.as_slice());
            // Columns by forward mode.
            for c in 0..2 {
                let (_, column) =
                    jvp(&p, &t, &y, SVector::<f64, 2>::from_fn(|k, _| if k == c { 1.0 } else { 0.0 }));
                for i in 0..t.len() {
                    assert!(close(column[i], j[(i, c)], 1e-14), "{name}: column {c}");
                }
            }
        }
    }
    // Rows by reverse mode, through `_vjp`'s pullback.
    let p = SVector::<f64, 2>::new(2.0, 0.5);
    let (_, j) = decay_from_fn_jacobian(&p, &t, &y);
    for i in 0..t.len() {
        let (_, pullback) = decay_from_fn_vjp(&p, &t, &y);
        let row = pullback(DVector::from_fn(t.len(), |k, _| if k == i { 1.0 } else { 0.0 }));
        let (_, pullback) = decay_from_vec_vjp(&p, &t, &y);
        let row_vec = pullback(DVector::from_fn(t.len(), |k, _| if k == i { 1.0 } else { 0.0 }));
        let (_, pullback) = decay_from_iterator_vjp(&p, &t, &y);
        let row_iter = pullback(DVector::from_fn(t.len(), |k, _| if k == i { 1.0 } else { 0.0 }));
        for c in 0..2 {
            assert!(close(row[c], j[(i, c)], 1e-14) && close(row_vec[c], j[(i, c)], 1e-14));
            assert!(close(row_iter[c], j[(i, c)], 1e-14));
        }
    }
}

/// A vector built by `from_fn`, then read as a whole: `‖2x‖² + 2 x_0`.
#[differentiable(wrt(x))]
fn doubled_energy(x: &[f64], n: usize) -> f64 {
    let v = DVector::from_fn(n, |i, _| x[i] * 2.0);
    v.norm_squared() + v[0]
}

#[test]
fn a_from_fn_vector_read_whole() {
    let x = [0.5, -1.0, 0.25];
    let (value, g) = doubled_energy_grad(&x, 3);
    assert!(close(value, 4.0 * (0.25 + 1.0 + 0.0625) + 1.0, 1e-15));
    assert_eq!(g, vec![8.0 * 0.5 + 2.0, -8.0, 8.0 * 0.25]);
    let t = vec![0.3, 0.1, -0.2];
    let (_, jv) = doubled_energy_jvp(&x, 3, t.clone());
    assert!(close(jv, g.iter().zip(&t).map(|(a, b)| a * b).sum::<f64>(), 1e-15));
    let (_, pullback) = doubled_energy_vjp(&x, 3);
    assert_eq!(pullback(1.0), g);
}

/// Residuals returned by a `collect()` whose type is the function's (`-> Vec<f64>`); and an
/// array made by `std::array::from_fn`.
#[differentiable(jacobian, wrt(p))]
fn decay_collected(p: &[f64], t: &[f64], y: &[f64]) -> Vec<f64> {
    t.iter().zip(y).map(|(ti, yi)| p[0] * (-p[1] * ti).exp() - yi).collect()
}

#[differentiable]
fn from_fn_array(x: &[f64]) -> f64 {
    let v: [f64; 3] = std::array::from_fn(|i| x[i] * x[i + 1]);
    v[0] * v[1] + v[2].sin()
}

#[test]
fn a_collect_typed_by_the_result_and_an_array_from_fn() {
    let (t, y) = ([0.0, 0.5, 1.0, 2.0], [2.1, 1.5, 1.2, 0.7]);
    for p in [[2.0, 0.5], [-1.0, 1.5], [0.3, 0.0]] {
        let (value, j) = decay_collected_jacobian(&p, &t, &y);
        assert_eq!(value, decay_collected(&p, &t, &y));
        let exact = DMatrix::from_fn(t.len(), 2, |i, c| match c {
            0 => (-p[1] * t[i]).exp(),
            _ => -p[0] * t[i] * (-p[1] * t[i]).exp(),
        });
        check_jacobian("decay_collected", &j, &exact, &|q| decay_collected(q, &t, &y), &p);
        // Rows by reverse mode.
        let (_, pullback) = decay_collected_vjp(&p, &t, &y);
        let row = pullback(vec![0.0, 1.0, 0.0, 0.0]);
        assert!(close(row[0], j[(1, 0)], 1e-14) && close(row[1], j[(1, 1)], 1e-14));
    }
    // v = (x0 x1, x1 x2, x2 x3): f = x0 x1² x2 + sin(x2 x3).
    let x = [0.3, -0.7, 1.1, 0.4];
    let (value, g) = from_fn_array_grad(&x);
    let c = (x[2] * x[3]).cos();
    let want = [x[1] * x[1] * x[2], 2.0 * x[0] * x[1] * x[2], x[0] * x[1] * x[1] + c * x[3], c * x[2]];
    assert!(close(value, x[0] * x[1] * x[1] * x[2] + (x[2] * x[3]).sin(), 1e-15));
    for (a, b) in g.iter().zip(&want) {
        assert!(close(*a, *b, 1e-14), "{g:?} vs {want:?}");
    }
    let (_, t) = from_fn_array_jvp(&x, vec![1.0, -1.0, 0.5, 2.0]);
    assert!(close(t, want[0] - want[1] + 0.5 * want[2] + 2.0 * want[3], 1e-14));
}

/// `from_iterator` with fewer elements than asked for panics in `_jvp` as in the function
/// (whose panic is nalgebra's).
#[test]
#[should_panic(expected = "fewer elements")]
fn from_iterator_of_a_short_chain_panics_as_nalgebra_does() {
    let p = SVector::<f64, 2>::new(2.0, 0.5);
    // Three residuals asked for (`t.len()`), two pairs to zip.
    decay_from_iterator_jvp(&p, &[0.0, 0.5, 1.0], &[2.1, 1.5], SVector::<f64, 2>::new(1.0, 0.0));
}

/// A slice turned into a `DVector` to use nalgebra's arithmetic, three ways, then used as any
/// vector: `dot` of itself (its adjoint read it by value before: a move in generated code),
/// `component_mul`, a difference with a parameter, `norm`.
#[differentiable]
fn slice_as_dvector(x: &[f64], w: &DVector<f64>, s: f64) -> f64 {
    let a = DVector::from_column_slice(x);
    let b = DVector::from_vec(x.to_vec());
    let c = DVector::from_fn(x.len(), |i, _| x[i] * s);
    a.dot(&a) + b.component_mul(&c).sum() + (w - b.clone()).norm() + w.dot(&c)
}

#[test]
#[allow(clippy::needless_range_loop)]
fn slices_as_dynamic_vectors() {
    let w = DVector::from_vec(vec![1.0, 2.0, -0.5]);
    for (x, s) in [([3.0, 4.0, 0.5], 2.0), ([-0.3, 1.2, 0.8], -0.7)] {
        let (value, (gx, gw, gs)) = slice_as_dvector_grad(&x, &w, s);
        let v = DVector::from_column_slice(&x);
        let d = &w - &v;
        let want_value = v.dot(&v) * (1.0 + s) + d.norm() + s * w.dot(&v);
        assert!(close(value, want_value, 1e-14), "{value} vs {want_value}");
        // ∂/∂x = 2(1 + s) x - (w - x)/|w - x| + s w; ∂/∂w = (w - x)/|w - x| + s x; ∂/∂s = x·x + w·x.
        let want_x = &v * (2.0 * (1.0 + s)) - &d / d.norm() + &w * s;
        let want_w = &d / d.norm() + &v * s;
        for i in 0..3 {
            assert!(close(gx[i], want_x[i], 1e-14), "d/dx{i}: {} vs {}", gx[i], want_x[i]);
            assert!(close(gw[i], want_w[i], 1e-14), "d/dw{i}: {} vs {}", gw[i], want_w[i]);
        }
        assert!(close(gs, v.dot(&v) + w.dot(&v), 1e-14));
        // Central differences in x, and forward against reverse along one direction of all three.
        let f = |p: &[f64]| slice_as_dvector(p, &w, s);
        for i in 0..3 {
            let fd = common::central(&f, &x, i);
            assert!(close(gx[i], fd, 1e-9), "d/dx{i}: {} vs {fd}", gx[i]);
        }
        let (tx, tw, ts) = (vec![0.3, -1.0, 0.2], DVector::from_vec(vec![0.5, 0.1, -0.4]), 0.7);
        let (_, jv) = slice_as_dvector_jvp(&x, &w, s, tx.clone(), tw.clone(), ts);
        let (_, pullback) = slice_as_dvector_vjp(&x, &w, s);
        let (bx, bw, bs) = pullback(1.0);
        let back: f64 = bx.iter().zip(&tx).map(|(a, b)| a * b).sum::<f64>() + bw.dot(&tw) + bs * ts;
        assert!(close(jv, back, 1e-14), "{jv} vs {back}");
    }
}

/// nalgebra's borrowed-operand style: `&v * s` of a vector built from a slice, `&y - w`, and
/// `&p - &q` of static vectors.
#[differentiable]
fn borrowed_operands(x: &[f64], w: &DVector<f64>, s: f64) -> f64 {
    let v = DVector::from_column_slice(x);
    let y = &v * s;
    (&y - w).norm_squared() + (w - &v).sum()
}

#[allow(clippy::op_ref)]
#[differentiable]
fn borrowed_static(p: nalgebra::Vector3<f64>, q: nalgebra::Vector3<f64>) -> f64 {
    (&p - &q).norm() + (p - &q).dot(&q)
}

#[test]
#[allow(clippy::needless_range_loop)]
fn borrowed_operands_of_nalgebra_arithmetic() {
    let w = DVector::from_vec(vec![0.5, 0.5]);
    for (x, s) in [([1.0, 2.0], 3.0), ([-0.4, 0.9], -1.2)] {
        let (value, (gx, gw, gs)) = borrowed_operands_grad(&x, &w, s);
        let v = DVector::from_column_slice(&x);
        let r = &v * s - &w;
        assert!(close(value, r.norm_squared() + (&w - &v).sum(), 1e-14));
        // ∂/∂x = 2 s r - 1, ∂/∂w = -2 r + 1, ∂/∂s = 2 r·x.
        for i in 0..2 {
            assert!(close(gx[i], 2.0 * s * r[i] - 1.0, 1e-14), "d/dx{i}");
            assert!(close(gw[i], -2.0 * r[i] + 1.0, 1e-14), "d/dw{i}");
        }
        assert!(close(gs, 2.0 * r.dot(&v), 1e-14));
        let f = |p: &[f64]| borrowed_operands(p, &w, s);
        for i in 0..2 {
            assert!(close(gx[i], common::central(&f, &x, i), 1e-8));
        }
        let (tx, tw, ts) = (vec![0.3, -1.0], DVector::from_vec(vec![0.5, 0.1]), 0.7);
        let (_, jv) = borrowed_operands_jvp(&x, &w, s, tx.clone(), tw.clone(), ts);
        let (_, pullback) = borrowed_operands_vjp(&x, &w, s);
        let (bx, bw, bs) = pullback(1.0);
        let back = bx[0] * tx[0] + bx[1] * tx[1] + bw.dot(&tw) + bs * ts;
        assert!(close(jv, back, 1e-14), "{jv} vs {back}");
    }
    let (p, q) = (nalgebra::Vector3::new(1.0, 2.0, 3.0), nalgebra::Vector3::new(0.0, 1.0, 1.0));
    let (value, (gp, gq)) = borrowed_static_grad(p, q);
    let d = p - q;
    assert!(close(value, d.norm() + d.dot(&q), 1e-15));
    let want_p = d / d.norm() + q;
    let want_q = -d / d.norm() - q + d;
    assert!((gp - want_p).norm() < 1e-14 && (gq - want_q).norm() < 1e-14, "{gp} {gq}");
    let (tp, tq) = (nalgebra::Vector3::new(0.2, -0.1, 0.4), nalgebra::Vector3::new(-0.3, 0.5, 0.0));
    let (_, jv) = borrowed_static_jvp(p, q, tp, tq);
    assert!(close(jv, gp.dot(&tp) + gq.dot(&tq), 1e-14));
}

// ---- Static vectors from slices: `Vector3::from_column_slice(&x[..3])` and the like.

use nalgebra::Vector3;

/// A point and a direction read from a flat parameter vector, as optimisers hand them over:
/// the distance from the origin of `point + 0.5 direction`, and the direction's angle with `z`.
#[differentiable(jacobian)]
fn from_slices(x: &[f64]) -> [f64; 2] {
    let point = Vector3::from_column_slice(&x[..3]);
    let direction = Vector3::from_row_slice(&x[3..6]);
    let ahead = point + direction * 0.5;
    let all = SVector::<f64, 6>::from_column_slice(x);
    [ahead.norm(), direction[2] / direction.norm() + all[5] * 0.0]
}

#[test]
fn static_vectors_from_slices() {
    for x in
        [[1.0, 2.0, 0.5, 0.3, -0.4, 1.2], [-0.7, 0.1, 2.0, 1.5, 0.5, -0.5], [0.2, 0.2, 0.2, 1.0, 2.0, 3.0]]
    {
        let (v, j) = from_slices_jacobian(&x);
        assert_eq!(v, from_slices(&x));
        let a = [x[0] + 0.5 * x[3], x[1] + 0.5 * x[4], x[2] + 0.5 * x[5]];
        let r = (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt();
        let d = (x[3] * x[3] + x[4] * x[4] + x[5] * x[5]).sqrt();
        let exact = DMatrix::from_fn(2, 6, |row, c| match (row, c) {
            (0, c) if c < 3 => a[c] / r,
            (0, c) => 0.5 * a[c - 3] / r,
            (1, c) if c < 3 => 0.0,
            // d(z/|d|)/d_k = δ_k5 / |d| - z d_k / |d|³.
            (1, c) => f64::from(c == 5) / d - x[5] * x[c] / (d * d * d),
            _ => unreachable!(),
        });
        check_jacobian("from_slices", &j, &exact, &|q| from_slices(q).to_vec(), &x);
        // Forward against reverse: a column from `_jvp`, a row from `_vjp`.
        let (_, column) = from_slices_jvp(&x, vec![0.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
        let row = from_slices_vjp(&x).1([0.0, 1.0]);
        assert!(close(column[0], j[(0, 4)], 1e-14) && close(column[1], j[(1, 4)], 1e-14), "column 4");
        for c in 0..6 {
            assert!(close(row[c], j[(1, c)], 1e-14), "row 1");
        }
    }
}

#[differentiable]
fn norm_of_three(x: &[f64]) -> f64 {
    Vector3::from_column_slice(x).norm()
}

#[differentiable]
fn norm_of_three_rows(x: &[f64]) -> f64 {
    Vector3::from_row_slice(x).norm()
}

/// As nalgebra: `from_column_slice` reads the first three elements of a longer slice and panics
/// on a shorter one; `from_row_slice` wants exactly three.
#[test]
fn slice_lengths_as_nalgebra_takes_them() {
    let (value, g) = norm_of_three_grad(&[3.0, 4.0, 0.0, 99.0]);
    assert_eq!((value, g.len()), (5.0, 4));
    for (a, b) in g.iter().zip([0.6, 0.8, 0.0, 0.0]) {
        assert!(close(*a, b, 1e-15), "{g:?}");
    }
    let short = std::panic::catch_unwind(|| norm_of_three_grad(&[1.0, 2.0]));
    assert!(short.is_err() && std::panic::catch_unwind(|| norm_of_three(&[1.0, 2.0])).is_err());
    let long = std::panic::catch_unwind(|| norm_of_three_rows_grad(&[1.0, 2.0, 3.0, 4.0]));
    assert!(long.is_err() && std::panic::catch_unwind(|| norm_of_three_rows(&[1.0, 2.0, 3.0, 4.0])).is_err());
    let (value, g) = norm_of_three_rows_grad(&[0.0, 3.0, 4.0]);
    assert_eq!(value, 5.0);
    for (a, b) in g.iter().zip([0.0, 0.6, 0.8]) {
        assert!(close(*a, b, 1e-15), "{g:?}");
    }
}

/// `det [a b a×b]` = `|a × b|²`, the matrix built by `from_columns`.
#[differentiable(hessian)]
fn frame_volume(a: &nalgebra::Vector3<f64>, b: &nalgebra::Vector3<f64>) -> f64 {
    let m = nalgebra::Matrix3::from_columns(&[*a, *b, a.cross(b)]);
    m.determinant()
}

/// A 2 x 3 matrix from two rows, times a vector.
#[differentiable]
fn rows_times(
    r0: &nalgebra::RowVector3<f64>,
    r1: &nalgebra::RowVector3<f64>,
    v: &nalgebra::Vector3<f64>,
) -> f64 {
    let m = nalgebra::Matrix2x3::from_rows(&[*r0, *r1]);
    (m * v).norm_squared()
}

#[test]
fn static_matrices_from_columns_and_rows() {
    use nalgebra::{RowVector3, Vector3};
    for k in 0..3 {
        let d = common::direction(6, 70 + k);
        let (a, b) = (Vector3::new(d[0], d[1], d[2]), Vector3::new(d[3], d[4], d[5]));
        let (value, (ga, gb)) = frame_volume_grad(&a, &b);
        let c = a.cross(&b);
        assert!(close(value, c.norm_squared(), 1e-13));
        // d|a × b|²/da = 2 b × (a × b), d/db = 2 (a × b) × a.
        let (ea, eb) = (2.0 * b.cross(&c), 2.0 * c.cross(&a));
        assert!((ga - ea).norm() < 1e-13 && (gb - eb).norm() < 1e-13, "{ga} {gb} vs {ea} {eb}");
        let f = |p: &[f64]| frame_volume(&Vector3::new(p[0], p[1], p[2]), &Vector3::new(p[3], p[4], p[5]));
        let g: Vec<f64> = ga.iter().chain(gb.iter()).copied().collect();
        common::gradient_central("frame_volume", &f, &d, &g, 1e-8);
        let v = common::direction(6, 3);
        let (_, tangent) =
            frame_volume_jvp(&a, &b, Vector3::new(v[0], v[1], v[2]), Vector3::new(v[3], v[4], v[5]));
        let (_, pullback) = frame_volume_vjp(&a, &b);
        let (ua, ub) = pullback(0.5);
        let g_u: Vec<f64> = ua.iter().chain(ub.iter()).copied().collect();
        common::forward_against_reverse("frame_volume", tangent, &v, 0.5, &g_u, 1e-12);
        // Second order: the Hessian of |a × b|² in a is 2 (|b|² I - b bᵀ).
        let (_, _, h) = frame_volume_hessian(&a, &b);
        let haa = 2.0 * (nalgebra::Matrix3::identity() * b.norm_squared() - b * b.transpose());
        for r in 0..3 {
            for s in 0..3 {
                assert!(
                    close(h[(r, s)], haa[(r, s)], 1e-12),
                    "H[{r},{s}] = {} vs {}",
                    h[(r, s)],
                    haa[(r, s)]
                );
            }
        }

        let (r0, r1) = (RowVector3::new(d[0], d[1], d[2]), RowVector3::new(d[3], d[4], d[5]));
        let w = Vector3::new(0.4, -1.1, 0.6);
        let (_, (g0, g1, gw)) = rows_times_grad(&r0, &r1, &w);
        // |(r0 w, r1 w)|²: d/dr_i = 2 (r_i w) wᵀ, d/dw = 2 (r0 w) r0ᵀ + 2 (r1 w) r1ᵀ.
        let (y0, y1) = (r0.dot(&w.transpose()), r1.dot(&w.transpose()));
        assert!((g0 - 2.0 * y0 * w.transpose()).norm() < 1e-13);
        assert!((g1 - 2.0 * y1 * w.transpose()).norm() < 1e-13);
        assert!((gw - 2.0 * (y0 * r0.transpose() + y1 * r1.transpose())).norm() < 1e-13);
        let rows = |p: &[f64]| {
            rows_times(
                &RowVector3::new(p[0], p[1], p[2]),
                &RowVector3::new(p[3], p[4], p[5]),
                &Vector3::new(p[6], p[7], p[8]),
            )
        };
        let at: Vec<f64> = r0.iter().chain(r1.iter()).chain(w.iter()).copied().collect();
        let g: Vec<f64> = g0.iter().chain(g1.iter()).chain(gw.iter()).copied().collect();
        common::gradient_central("rows_times", &rows, &at, &g, 1e-8);
        let t = common::direction(9, 4);
        let (_, tangent) = rows_times_jvp(
            &r0,
            &r1,
            &w,
            RowVector3::new(t[0], t[1], t[2]),
            RowVector3::new(t[3], t[4], t[5]),
            Vector3::new(t[6], t[7], t[8]),
        );
        let (_, pullback) = rows_times_vjp(&r0, &r1, &w);
        let (u0, u1, uw) = pullback(1.2);
        let g_u: Vec<f64> = u0.iter().chain(u1.iter()).chain(uw.iter()).copied().collect();
        common::forward_against_reverse("rows_times", tangent, &t, 1.2, &g_u, 1e-12);
    }
}

/// `DVector::from_vec(chain.collect())` inline: `|(x₀², x₁², ..)|`.
#[differentiable]
fn norm_of_squares(x: &[f64]) -> f64 {
    let d = DVector::from_vec(x.iter().map(|t| t * t).collect());
    d.norm()
}

#[test]
fn a_dvector_from_a_collected_chain() {
    let points: [&[f64]; 3] = [&[1.0, 2.0], &[0.3, -0.7, 1.2], &[-2.0, 0.5, 0.25, 1.0]];
    for x in points {
        let norm = x.iter().map(|t| t.powi(4)).sum::<f64>().sqrt();
        let (value, g) = norm_of_squares_grad(x);
        assert!(common::close(value, norm, 1e-15));
        for (gi, t) in g.iter().zip(x) {
            assert!(common::close(*gi, 2.0 * t.powi(3) / norm, 1e-14), "{gi}");
        }
        common::gradient_central("norm_of_squares", &norm_of_squares, x, &g, 1e-8);
        let v = common::direction(x.len(), 3);
        let (_, t) = norm_of_squares_jvp(x, v.clone());
        let (_, pullback) = norm_of_squares_vjp(x);
        common::forward_against_reverse("norm_of_squares", t, &v, 0.9, &pullback(0.9), 1e-13);
    }
}

// ---- Static vectors from arrays: `Vector3::from([a, b, c])`, `Vector3::from(*x)`.

/// `a · b + |b × z|` with `a = (s x₀, x₁, 1)` built from an array literal, `b = x` from the
/// array parameter and `c` from a local array by `into()`: `s x₀² + x₁² + x₂ + √(x₀² + x₁²) + c · z`.
#[differentiable]
fn from_arrays(x: &[f64; 3], s: f64) -> f64 {
    let a = Vector3::from([s * x[0], x[1], 1.0]);
    let b = Vector3::from(*x);
    let local = [x[2], s, x[2] * s];
    let c: Vector3<f64> = local.into();
    a.dot(&b) + b.cross(&Vector3::z()).norm() + c.z
}

#[test]
fn static_vectors_from_arrays() {
    for (x, s) in [([1.0, 2.0, 0.5], 0.7), ([-0.3, 1.5, 2.0], -1.2), ([2.0, -0.4, -1.0], 3.0)] {
        let (value, (gx, gs)) = from_arrays_grad(&x, s);
        assert_eq!(value, from_arrays(&x, s));
        let r = (x[0] * x[0] + x[1] * x[1]).sqrt();
        let exact = [2.0 * s * x[0] + x[0] / r, 2.0 * x[1] + x[1] / r, 1.0 + s, x[0] * x[0] + x[2]];
        let got = [gx[0], gx[1], gx[2], gs];
        assert_close(&got, &exact, 1e-14, "from arrays closed form");
        let f = |p: &[f64]| from_arrays(&[p[0], p[1], p[2]], p[3]);
        assert_close(&got, &central_gradient(f, &[x[0], x[1], x[2], s]), 1e-8, "from arrays differences");
        // Forward against reverse.
        let v = [0.5, -1.0, 0.25, 2.0];
        let (_, t) = from_arrays_jvp(&x, s, [v[0], v[1], v[2]], v[3]);
        let (_, pullback) = from_arrays_vjp(&x, s);
        let (ux, us) = pullback(1.5);
        let back: f64 = ux.iter().zip(&v).map(|(a, b)| a * b).sum::<f64>() + us * v[3];
        assert_close(&[1.5 * t], &[back], 1e-14, "from arrays forward against reverse");
    }
}

/// Coordinates of static vectors the macro holds as arrays: read (`v.z`) and written (`r.y = ..`,
/// `r.z += ..`) on a vector made by `zeros()` and written by index.
/// `r = (s, x₁, x₂ s)` and the result `|r| + x₀ x₂`.
#[differentiable]
fn coordinates_of_arrays(x: &[f64; 3], s: f64) -> f64 {
    let v = Vector3::from_column_slice(x);
    let mut r = Vector3::zeros();
    r[0] = s;
    r.y = x[1];
    r.z += v.z * s;
    r.norm() + v.x * v.z
}

#[test]
fn coordinates_of_static_vectors_held_as_arrays() {
    for (x, s) in [([1.0, 2.0, 0.5], 0.7), ([-0.3, 1.5, 2.0], -1.2)] {
        let (value, (gx, gs)) = coordinates_of_arrays_grad(&x, s);
        assert_eq!(value, coordinates_of_arrays(&x, s));
        let n = (s * s + x[1] * x[1] + x[2] * x[2] * s * s).sqrt();
        let exact = [x[2], x[1] / n, x[2] * s * s / n + x[0], (s + x[2] * x[2] * s) / n];
        let got = [gx[0], gx[1], gx[2], gs];
        assert_close(&got, &exact, 1e-14, "coordinates closed form");
        let (_, t) = coordinates_of_arrays_jvp(&x, s, [1.0, 0.0, -2.0], 0.5);
        let (_, pullback) = coordinates_of_arrays_vjp(&x, s);
        let (ux, us) = pullback(1.0);
        assert_close(&[t], &[ux[0] - 2.0 * ux[2] + 0.5 * us], 1e-14, "coordinates forward against reverse");
    }
}
