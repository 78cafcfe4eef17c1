//! The second-order check shared by `tests/second_order.rs` and `tests/second_order_composed.rs`.

use super::{close, direction};
use nalgebra::DMatrix;

/// Checks `hessian` (value, gradient, H) and `hvp` at `x` against `grad`, central differences
/// of `grad` and the analytic `exact` Hessian.
#[allow(clippy::too_many_arguments)]
pub fn check(
    name: &str,
    x: &[f64],
    f: &dyn Fn(&[f64]) -> f64,
    grad: &dyn Fn(&[f64]) -> (f64, Vec<f64>),
    hessian: &dyn Fn(&[f64]) -> (f64, Vec<f64>, DMatrix<f64>),
    hvp: &dyn Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
    exact: &DMatrix<f64>,
    tol: f64,
) {
    let n = x.len();
    let (value, gradient) = grad(x);
    assert_eq!(value, f(x), "{name}: value of the primal");
    let (hv_value, hv_gradient, h) = hessian(x);
    assert_eq!((h.nrows(), h.ncols()), (n, n), "{name}: size");
    assert_eq!(hv_value, value, "{name}: value");
    assert_eq!(hv_gradient, gradient, "{name}: gradient");
    for i in 0..n {
        for j in 0..n {
            assert!(
                close(h[(i, j)], exact[(i, j)], 1e-12),
                "{name}: H[{i},{j}] = {} vs analytic {}",
                h[(i, j)],
                exact[(i, j)]
            );
            assert!(
                (h[(i, j)] - h[(j, i)]).abs() <= 1e-12 * h[(i, j)].abs().max(1e-300),
                "{name}: H not symmetric at {i},{j}"
            );
        }
        // Column i by central differences of the gradient.
        let step = 1e-5 * x[i].abs().max(1.0);
        let at = |d: f64| {
            let mut p = x.to_vec();
            p[i] += d;
            grad(&p).1
        };
        let (up, down, up2, down2) = (at(step), at(-step), at(step / 2.0), at(-step / 2.0));
        for j in 0..n {
            let coarse = (up[j] - down[j]) / (2.0 * step);
            let fine = (up2[j] - down2[j]) / step;
            let fd = (4.0 * fine - coarse) / 3.0;
            assert!(
                close(h[(j, i)], fd, tol),
                "{name}: H[{j},{i}] = {} vs central differences {fd}",
                h[(j, i)]
            );
        }
    }
    // H v along two random directions, and the gradient it returns.
    for salt in [1, 2] {
        let v = direction(n, salt);
        let (hvp_value, hvp_gradient, hv) = hvp(x, &v);
        assert_eq!((hvp_value, &hvp_gradient), (value, &gradient), "{name}: hvp's value and gradient");
        let expected = exact * nalgebra::DVector::from_column_slice(&v);
        for j in 0..n {
            assert!(close(hv[j], expected[j], 1e-11), "{name}: (Hv)[{j}] = {} vs {}", hv[j], expected[j]);
        }
    }
}
