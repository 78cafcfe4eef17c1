//! Least-squares residuals written the way numeric crates write them: a `DVector` or `SVector`
//! made with `zeros` and filled by index in a loop, a static vector of more than six entries
//! from `from_fn`, and loops and chains over the entries of a nalgebra parameter. Each
//! `_jacobian` is checked against the analytic Jacobian and central differences, its columns
//! against `_jvp` and its rows against `_vjp`, at three points.

mod common;

use common::{check_jacobian, close};
use nalgebra::{DMatrix, DVector, SVector};
use tapeless::differentiable;

/// Sixteen observations of a decaying quantity (made up for the test).
const OBSERVED: [f64; 16] =
    [30.1, 25.3, 21.0, 17.9, 15.2, 12.8, 10.9, 9.4, 8.0, 6.9, 5.9, 5.1, 4.4, 3.8, 3.3, 2.9];

/// The model `a exp(b / (5 i + 50 + c))` (a thermistor-style curve) against `OBSERVED`.
fn model_jacobian(x: &[f64], m: usize) -> DMatrix<f64> {
    DMatrix::from_fn(m, 3, |i, c| {
        let d = 5.0 * i as f64 + 50.0 + x[2];
        let e = (x[1] / d).exp();
        [e, x[0] * e / d, -x[0] * x[1] * e / (d * d)][c]
    })
}

/// Filled by index into a `DVector` of a length given at run time.
#[differentiable(jacobian)]
fn thermistor(x: &SVector<f64, 3>, m: usize) -> DVector<f64> {
    let mut r = DVector::<f64>::zeros(m);
    for i in 0..m {
        let d = 5.0 * i as f64 + 50.0 + x[2];
        r[i] = x[0] * (x[1] / d).exp() - OBSERVED[i];
    }
    r
}

/// The same residuals as a static vector of 16 entries from `from_fn`.
#[differentiable(jacobian)]
fn thermistor_static(x: &SVector<f64, 3>) -> SVector<f64, 16> {
    SVector::<f64, 16>::from_fn(|i, _| {
        let d = 5.0 * i as f64 + 50.0 + x[2];
        x[0] * (x[1] / d).exp() - OBSERVED[i]
    })
}

/// The first eight, filled by index into a static vector (`+=` after a first write).
#[differentiable(jacobian)]
fn thermistor_head(x: &SVector<f64, 3>) -> SVector<f64, 8> {
    let mut r = SVector::<f64, 8>::zeros();
    for i in 0..8 {
        let d = 5.0 * i as f64 + 50.0 + x[2];
        r[i] = x[0] * (x[1] / d).exp();
        r[i] -= OBSERVED[i];
    }
    r
}

#[test]
fn residuals_filled_by_index_and_from_fn() {
    for x in [[20.0, 30.0, 1.0], [35.0, 12.0, -4.0], [8.0, 60.0, 10.0]] {
        let p = SVector::<f64, 3>::from_column_slice(&x);
        let flat = |q: &[f64]| thermistor(&SVector::from_column_slice(q), 16).as_slice().to_vec();
        let (r, j) = thermistor_jacobian(&p, 16);
        assert_eq!(r, thermistor(&p, 16));
        check_jacobian("thermistor", &j, &model_jacobian(&x, 16), &flat, &x);

        let (r, js) = thermistor_static_jacobian(&p);
        assert_eq!(r.as_slice(), thermistor(&p, 16).as_slice());
        assert_eq!(js, j, "from_fn against the DVector filled by index");

        let (r, jh) = thermistor_head_jacobian(&p);
        assert_eq!(r.as_slice(), &thermistor(&p, 16).as_slice()[..8]);
        let head = |q: &[f64]| thermistor_head(&SVector::from_column_slice(q)).as_slice().to_vec();
        check_jacobian("thermistor_head", &jh, &model_jacobian(&x, 8), &head, &x);

        // Columns are `_jvp` along the axes, rows `_vjp` of the unit cotangents.
        for c in 0..3 {
            let axis = SVector::<f64, 3>::ith(c, 1.0);
            let (_, column) = thermistor_jvp(&p, 16, axis);
            let (_, static_column) = thermistor_static_jvp(&p, axis);
            let (_, head_column) = thermistor_head_jvp(&p, axis);
            for i in 0..16 {
                assert!(close(column[i], j[(i, c)], 1e-14), "column {c} of _jvp");
                assert!(close(static_column[i], j[(i, c)], 1e-14), "column {c} of the static _jvp");
            }
            for i in 0..8 {
                assert!(close(head_column[i], jh[(i, c)], 1e-14), "column {c} of the head's _jvp");
            }
        }
        for row in [0, 7, 15] {
            let (_, pullback) = thermistor_vjp(&p, 16);
            let g = pullback(DVector::from_fn(16, |i, _| if i == row { 1.0 } else { 0.0 }));
            let (_, pullback) = thermistor_static_vjp(&p);
            let gs = pullback(SVector::<f64, 16>::ith(row, 1.0));
            for c in 0..3 {
                assert!(close(g[c], j[(row, c)], 1e-14), "row {row} from _vjp");
                assert!(close(gs[c], j[(row, c)], 1e-14), "row {row} from the static _vjp");
            }
            if row < 8 {
                let (_, pullback) = thermistor_head_vjp(&p);
                let gh = pullback(SVector::<f64, 8>::ith(row, 1.0));
                for c in 0..3 {
                    assert!(close(gh[c], jh[(row, c)], 1e-14), "row {row} from the head's _vjp");
                }
            }
        }
    }
}

/// Reads a nalgebra parameter's entries through a chain and a loop:
/// `r_i = [i < 4] x_i² + (i + 1) Σ_j (j + 1) x_j - 1`.
#[differentiable(jacobian)]
fn weighted(x: &SVector<f64, 4>, m: usize) -> DVector<f64> {
    let s: f64 = x.iter().enumerate().map(|(j, v)| (j + 1) as f64 * v).sum();
    let mut r = DVector::<f64>::zeros(m);
    for (i, v) in x.iter().enumerate() {
        r[i] = v * v;
    }
    for i in 0..m {
        r[i] += (i + 1) as f64 * s - 1.0;
    }
    r
}

/// The same entries of a `DVector` parameter, in a `for` over a `map` chain.
#[differentiable(jacobian)]
fn squares(x: &DVector<f64>) -> DVector<f64> {
    let mut r = DVector::<f64>::zeros(x.len());
    for (i, q) in x.iter().map(|v| v * v).enumerate() {
        r[i] = q + x[0];
    }
    r
}

#[test]
fn loops_and_chains_over_nalgebra_entries() {
    for x in [[0.5, -1.0, 2.0, 0.25], [1.5, 0.3, -0.7, 2.0], [-2.0, 1.0, 0.1, -0.4]] {
        let p = SVector::<f64, 4>::from_column_slice(&x);
        let m = 7;
        let (r, j) = weighted_jacobian(&p, m);
        assert_eq!(r, weighted(&p, m));
        let exact = DMatrix::from_fn(m, 4, |i, c| {
            (if i == c { 2.0 * x[c] } else { 0.0 }) + ((i + 1) * (c + 1)) as f64
        });
        let flat = |q: &[f64]| weighted(&SVector::from_column_slice(q), m).as_slice().to_vec();
        check_jacobian("weighted", &j, &exact, &flat, &x);
        for c in 0..4 {
            let (_, column) = weighted_jvp(&p, m, SVector::<f64, 4>::ith(c, 1.0));
            for i in 0..m {
                assert!(close(column[i], j[(i, c)], 1e-14), "column {c} of _jvp");
            }
        }
        let (_, pullback) = weighted_vjp(&p, m);
        let g = pullback(DVector::from_fn(m, |i, _| if i == 2 { 1.0 } else { 0.0 }));
        for c in 0..4 {
            assert!(close(g[c], j[(2, c)], 1e-14), "row 2 from _vjp");
        }

        let v = DVector::from_column_slice(&x);
        let (r, j) = squares_jacobian(&v);
        assert_eq!(r, squares(&v));
        let exact = DMatrix::from_fn(4, 4, |i, c| {
            (if i == c { 2.0 * x[c] } else { 0.0 }) + if c == 0 { 1.0 } else { 0.0 }
        });
        let flat = |q: &[f64]| squares(&DVector::from_column_slice(q)).as_slice().to_vec();
        check_jacobian("squares", &j, &exact, &flat, &x);
        let (_, pullback) = squares_vjp(&v);
        let g = pullback(DVector::from_fn(4, |i, _| if i == 1 { 1.0 } else { 0.0 }));
        let (_, column) = squares_jvp(&v, DVector::from_fn(4, |i, _| if i == 1 { 1.0 } else { 0.0 }));
        for c in 0..4 {
            assert!(close(g[c], j[(1, c)], 1e-14), "row 1 from _vjp");
            assert!(close(column[c], j[(c, 1)], 1e-14), "column 1 from _jvp");
        }
    }
}

/// A `DVector` filled by index and read only through `sum()`: `_grad` reuses its storage for
/// its adjoint (this expanded into code rustc rejected, a `Vec`-only runtime call).
#[differentiable]
fn cubes_sum(x: &[f64]) -> f64 {
    let mut c = DVector::<f64>::zeros(x.len());
    for i in 0..x.len() {
        c[i] = x[i] * x[i] * x[i];
    }
    c.sum()
}

#[test]
fn a_filled_vector_read_only_through_its_sum() {
    let grad = |x: &[f64]| {
        let (v, g) = cubes_sum_grad(x);
        for (gi, xi) in g.iter().zip(x) {
            assert!(close(*gi, 3.0 * xi * xi, 1e-14), "{g:?}");
        }
        (v, g)
    };
    let fns = slice_fns!(cubes_sum, cubes_sum_jvp, cubes_sum_vjp, grad);
    common::check(&fns, &[&[0.5, -1.0, 2.0], &[1.0, 2.0, 3.0, 4.0], &[-0.2]], 1e-8);
}

/// The times of `OBSERVED`, as a `DVector` the way a fitting crate passes its data.
fn times() -> DVector<f64> {
    DVector::from_fn(16, |i, _| 5.0 * i as f64)
}

/// `t.map(..)` of the data with a closure reading the parameters: lowered as `from_fn` at each
/// index (a closure given to `map` otherwise reads its argument only). `- y` of the data takes
/// the vector built by index by reference.
#[differentiable(wrt(x), jacobian)]
fn thermistor_map(x: &SVector<f64, 3>, t: &DVector<f64>, y: &DVector<f64>) -> DVector<f64> {
    t.map(|ti| x[0] * (x[1] / (ti + 50.0 + x[2])).exp()) - y
}

/// The same through `DVector::from_fn(..) - y`.
#[differentiable(wrt(x), jacobian)]
fn thermistor_from_fn(x: &SVector<f64, 3>, t: &DVector<f64>, y: &DVector<f64>) -> DVector<f64> {
    DVector::from_fn(t.len(), |i, _| x[0] * (x[1] / (t[i] + 50.0 + x[2])).exp()) - y
}

#[test]
fn residuals_from_a_map_over_the_data_reading_the_parameters() {
    let (t, y) = (times(), DVector::from_column_slice(&OBSERVED));
    for x in [[20.0, 30.0, 1.0], [35.0, 12.0, -4.0], [8.0, 60.0, 10.0]] {
        let p = SVector::<f64, 3>::from_column_slice(&x);
        let exact = model_jacobian(&x, 16);
        let (r, j) = thermistor_map_jacobian(&p, &t, &y);
        assert_eq!(r, thermistor(&p, 16));
        let flat = |q: &[f64]| thermistor_map(&SVector::from_column_slice(q), &t, &y).as_slice().to_vec();
        check_jacobian("thermistor_map", &j, &exact, &flat, &x);
        let (r, jf) = thermistor_from_fn_jacobian(&p, &t, &y);
        assert_eq!(r, thermistor(&p, 16));
        let flat = |q: &[f64]| thermistor_from_fn(&SVector::from_column_slice(q), &t, &y).as_slice().to_vec();
        check_jacobian("thermistor_from_fn", &jf, &exact, &flat, &x);
        // Columns from `_jvp`, rows from `_vjp`.
        for c in 0..3 {
            let axis = SVector::<f64, 3>::ith(c, 1.0);
            let (_, column) = thermistor_map_jvp(&p, &t, &y, axis);
            let (_, column_f) = thermistor_from_fn_jvp(&p, &t, &y, axis);
            for i in 0..16 {
                assert!(close(column[i], exact[(i, c)], 1e-12), "column {c} of _jvp");
                assert!(close(column_f[i], exact[(i, c)], 1e-12), "column {c} of from_fn's _jvp");
            }
        }
        for row in [0, 9, 15] {
            let unit = DVector::from_fn(16, |i, _| if i == row { 1.0 } else { 0.0 });
            let (_, pullback) = thermistor_map_vjp(&p, &t, &y);
            let g = pullback(unit.clone());
            let (_, pullback) = thermistor_from_fn_vjp(&p, &t, &y);
            let gf = pullback(unit);
            for c in 0..3 {
                assert!(close(g[c], exact[(row, c)], 1e-12), "row {row} from _vjp");
                assert!(close(gf[c], exact[(row, c)], 1e-12), "row {row} from from_fn's _vjp");
            }
        }
    }
}

/// The sum of squares of `t.map(..) - y`, with second order (a Gauss-Newton or Newton step).
#[differentiable(hessian, wrt(p))]
fn decay_loss(p: &[f64], t: &DVector<f64>, y: &DVector<f64>) -> f64 {
    (t.map(|ti| p[0] * (-p[1] * ti).exp()) - y).norm_squared()
}

#[test]
fn second_order_of_a_map_reading_the_parameters() {
    let t = DVector::from_vec(vec![0.0, 1.0, 2.0, 3.5]);
    let y = DVector::from_vec(vec![2.0, 1.2, 0.7, 0.3]);
    for p in [[2.0, 0.5], [1.0, 0.1], [3.0, 1.2]] {
        let (value, g, h) = decay_loss_hessian(&p, &t, &y);
        assert_eq!((value, g.clone()), decay_loss_grad(&p, &t, &y));
        // Analytic: r_i = a e_i - y_i with e_i = exp(-b t_i); H = 2 Σ (J_iᵀ J_i + r_i ∇²r_i),
        // J_i = (e_i, -a t_i e_i), ∇²r_i = [[0, -t_i e_i], [-t_i e_i, a t_i² e_i]].
        let (a, b) = (p[0], p[1]);
        let mut want = [[0.0; 2]; 2];
        for i in 0..t.len() {
            let e = (-b * t[i]).exp();
            let r = a * e - y[i];
            let j = [e, -a * t[i] * e];
            let second = [[0.0, -t[i] * e], [-t[i] * e, a * t[i] * t[i] * e]];
            for k in 0..2 {
                for l in 0..2 {
                    want[k][l] += 2.0 * (j[k] * j[l] + r * second[k][l]);
                }
            }
        }
        for k in 0..2 {
            for l in 0..2 {
                assert!(close(h[(k, l)], want[k][l], 1e-12), "H[{k},{l}] = {} != {}", h[(k, l)], want[k][l]);
                assert_eq!(h[(k, l)], h[(l, k)], "symmetric");
                // Central differences of `_grad`.
                let step = 1e-6 * p[l].abs().max(1.0);
                let at = |d: f64| {
                    let mut q = p;
                    q[l] += d;
                    decay_loss_grad(&q, &t, &y).1[k]
                };
                let fd = (at(step) - at(-step)) / (2.0 * step);
                assert!(close(h[(k, l)], fd, 1e-6), "H[{k},{l}] = {} against {fd}", h[(k, l)]);
            }
        }
    }
}
