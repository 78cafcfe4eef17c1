//! A flat parameter vector read as matrices, as optimisation code packs a model's weights:
//! `DMatrix::from_column_slice(r, c, &p.as_slice()[a..b])`, `from_row_slice`, `from_vec`,
//! `DVector::from_column_slice(&p.as_slice()[a..b])`; then the matrices' columns, rows,
//! transposes and products; and a data vector's `map` whose closure reads entries of the
//! parameters (`t.map(|ti| p[0] * (p[1] * ti).exp())`). Until the twenty-fifth session the
//! constructors of a differentiable slice were our error, `column`/`row`/`transpose` of a
//! `DMatrix::from_fn` matrix were rustc's errors inside generated code (use of a moved value), and
//! the `map` closure was our error. Each function is checked against its analytic gradient,
//! central differences and forward mode against reverse mode (`common::check`).

#[macro_use]
mod common;

use common::{assert_close, check};
use nalgebra::{DMatrix, DVector};
use tapeless::differentiable;

const INPUT: [f64; 3] = [0.5, -1.0, 2.0];

/// A tanh layer whose weights (column by column) and bias are the parameter vector.
#[differentiable]
fn layer(p: &DVector<f64>) -> f64 {
    let w = DMatrix::from_column_slice(2, 3, &p.as_slice()[0..6]);
    let b = DVector::from_column_slice(&p.as_slice()[6..8]);
    let x = DVector::from_column_slice(&INPUT);
    let h = (&w * x + b).map(|v| v.tanh());
    h.norm_squared()
}

/// A 2 x 2 matrix read row by row, and `from_vec` of a copy, column by column (second order
/// too).
#[differentiable(hessian)]
fn packed(p: &DVector<f64>) -> f64 {
    let m = DMatrix::from_row_slice(2, 2, &p.as_slice()[..4]);
    let n = DMatrix::from_vec(2, 2, p.as_slice().to_vec());
    (m.transpose() * &m).trace() + m.row(0).dot(&m.row(1)) + n[(0, 1)] * n[(1, 0)]
}

/// The length of a polyline whose points are the columns of `DMatrix::from_fn`.
#[differentiable]
fn polyline(p: &DVector<f64>) -> f64 {
    let m = DMatrix::from_fn(2, 3, |i, j| p[i + 2 * j]);
    let mut length = 0.0;
    for j in 1..m.ncols() {
        length += (m.column(j) - m.column(j - 1)).norm();
    }
    length
}

/// `m mᵀ` of a matrix built by `from_fn`: its trace is the sum of the squared entries.
#[differentiable]
fn gram_trace(p: &DVector<f64>) -> f64 {
    let m = DMatrix::from_fn(2, 3, |i, j| p[3 * i + j]);
    (&m * m.transpose()).trace() + m.row(1).norm()
}

/// Least squares of an exponential model over constant data: the closure reads `p[0]`, `p[1]`.
#[differentiable]
fn exponential_fit(p: &DVector<f64>) -> f64 {
    let t = DVector::from_vec(vec![0.0, 0.5, 1.0, 1.5]);
    let y = DVector::from_vec(vec![1.0, 1.6, 2.8, 4.4]);
    let model = t.map(|ti| p[0] * (p[1] * ti).exp());
    (model - y).norm_squared()
}

fn points(n: usize) -> Vec<Vec<f64>> {
    let base = [0.3, -0.7, 0.45, 1.1, -0.2, 0.8, -0.5, 0.15];
    (0..3).map(|k| (0..n).map(|i| base[i] * (1.0 + 0.3 * k as f64) + 0.05 * k as f64).collect()).collect()
}

fn slices(points: &[Vec<f64>]) -> Vec<&[f64]> {
    points.iter().map(Vec::as_slice).collect()
}

#[test]
fn a_layer_packed_in_a_vector() {
    let pts = points(8);
    check(&dvector_fns!(layer, layer_jvp, layer_vjp, layer_grad), &slices(&pts), 1e-7);
    for p in &pts {
        // z = W x + b, W[i][j] = p[i + 2 j]; d/dz_i of Σ tanh(z)² is 2 h (1 - h²).
        let mut want = vec![0.0; 8];
        for i in 0..2 {
            let z: f64 = (0..3).map(|j| p[i + 2 * j] * INPUT[j]).sum::<f64>() + p[6 + i];
            let h = z.tanh();
            let dz = 2.0 * h * (1.0 - h * h);
            for j in 0..3 {
                want[i + 2 * j] = dz * INPUT[j];
            }
            want[6 + i] = dz;
        }
        let (_, g) = layer_grad(&DVector::from_column_slice(p));
        assert_close(g.as_slice(), &want, 1e-14, "layer");
    }
}

#[test]
fn rows_transposes_and_from_vec() {
    let pts = points(4);
    check(&dvector_fns!(packed, packed_jvp, packed_vjp, packed_grad), &slices(&pts), 1e-7);
    for p in &pts {
        // m = [[p0, p1], [p2, p3]]; tr(mᵀm) = Σ p²; row 0 · row 1 = p0 p2 + p1 p3;
        // n = [[p0, p2], [p1, p3]] (column by column): n01 n10 = p2 p1.
        let want = [2.0 * p[0] + p[2], 2.0 * p[1] + p[3] + p[2], 2.0 * p[2] + p[0] + p[1], 2.0 * p[3] + p[1]];
        let (_, g) = packed_grad(&DVector::from_column_slice(p));
        assert_close(g.as_slice(), &want, 1e-14, "packed");
    }
}

#[test]
fn columns_and_rows_of_a_matrix_built_by_from_fn() {
    let pts = points(6);
    check(&dvector_fns!(polyline, polyline_jvp, polyline_vjp, polyline_grad), &slices(&pts), 1e-7);
    check(&dvector_fns!(gram_trace, gram_trace_jvp, gram_trace_vjp, gram_trace_grad), &slices(&pts), 1e-7);
    for p in &pts {
        // Σ p² plus the norm of row 1 (p3, p4, p5).
        let r = (p[3] * p[3] + p[4] * p[4] + p[5] * p[5]).sqrt();
        let want: Vec<f64> = (0..6).map(|k| 2.0 * p[k] + if k >= 3 { p[k] / r } else { 0.0 }).collect();
        let (_, g) = gram_trace_grad(&DVector::from_column_slice(p));
        assert_close(g.as_slice(), &want, 1e-14, "gram trace");
    }
}

#[test]
fn a_map_closure_reading_parameter_entries() {
    let pts: Vec<Vec<f64>> = vec![vec![1.1, 0.9], vec![0.8, 1.2], vec![1.3, 0.7]];
    check(
        &dvector_fns!(exponential_fit, exponential_fit_jvp, exponential_fit_vjp, exponential_fit_grad),
        &slices(&pts),
        1e-7,
    );
    let (t, y) = ([0.0, 0.5, 1.0, 1.5], [1.0, 1.6, 2.8, 4.4]);
    for p in &pts {
        let mut want = [0.0; 2];
        for (ti, yi) in t.iter().zip(y) {
            let e = (p[1] * ti).exp();
            let r = p[0] * e - yi;
            want[0] += 2.0 * r * e;
            want[1] += 2.0 * r * p[0] * ti * e;
        }
        let (_, g) = exponential_fit_grad(&DVector::from_column_slice(p));
        assert_close(g.as_slice(), &want, 1e-13, "exponential fit");
    }
}

#[test]
fn the_packed_matrices_second_order() {
    // tr(mᵀm) = Σ p² gives 2 I; p0 p2 + p1 p3 and p2 p1 give ones off the diagonal.
    let mut exact = DMatrix::from_diagonal_element(4, 4, 2.0);
    for (i, j) in [(0, 2), (1, 3), (1, 2)] {
        exact[(i, j)] = 1.0;
        exact[(j, i)] = 1.0;
    }
    for p in points(4) {
        let p = DVector::from_column_slice(&p);
        let (value, gradient, h) = packed_hessian(&p);
        assert_eq!((value, &gradient), (packed(&p), &packed_grad(&p).1));
        assert_close(h.as_slice(), exact.as_slice(), 1e-15, "packed Hessian");
        // Central differences of `_grad`, column by column.
        for i in 0..4 {
            let at = |d: f64| {
                let mut q = p.clone();
                q[i] += d;
                packed_grad(&q).1
            };
            let column = (at(1e-5) - at(-1e-5)) / 2e-5;
            assert_close(column.as_slice(), exact.column(i).as_slice(), 1e-8, "Hessian by differences");
        }
    }
}
