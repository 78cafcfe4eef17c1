//! Calls between the methods of one `#[differentiable]` `impl` block whose `wrt(..)` lists only
//! some parameters (`nll` differentiated in `self` alone, called by `batch` for each data point),
//! and differentiable functions called with a reference to a local value (`g(&z)`, `self.nll(&z)`
//! of `let z = y * 2.0;`). Before, the first was rustc's arity error in generated code (the call
//! passed a tangent for every argument) and the second our error ("a reference of a
//! differentiable value"). Gradients against central differences and analytic values, forward
//! against reverse.

mod common;

use common::{close, forward_against_reverse, gradient_central};
use nalgebra::Vector2;
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, Differentiable)]
pub struct Gaussian {
    pub mean: Vector2<f64>,
    pub log_std: Vector2<f64>,
}

#[differentiable]
impl Gaussian {
    /// Negative log-likelihood of one point, differentiated in the parameters only.
    #[differentiable(wrt(self))]
    pub fn nll(&self, x: &Vector2<f64>) -> f64 {
        let z = (x - self.mean).component_div(&self.log_std.map(|s| s.exp()));
        0.5 * z.norm_squared() + self.log_std.sum()
    }

    /// The mean over a batch: calls `nll`, which takes no tangent for the data.
    #[differentiable(wrt(self))]
    pub fn batch(&self, xs: &[Vector2<f64>]) -> f64 {
        xs.iter().map(|x| self.nll(x)).sum::<f64>() / xs.len() as f64
    }

    /// Differentiated in the point too.
    #[differentiable(wrt(self, x))]
    pub fn nll_at(&self, x: &Vector2<f64>) -> f64 {
        (x - self.mean).norm_squared() * self.log_std.x.exp()
    }

    /// Calls `nll_at` with a reference to a local vector computed from `y`.
    #[differentiable(wrt(self, y))]
    pub fn shifted(&self, y: Vector2<f64>) -> f64 {
        let z = y * 2.0;
        self.nll_at(&z)
    }

    /// The same with `self` a constant here: `nll_at` still takes a (zero) tangent for it.
    #[differentiable(wrt(y))]
    pub fn shifted_in_y(&self, y: Vector2<f64>) -> f64 {
        let z = y * 2.0;
        self.nll_at(&z)
    }
}

#[differentiable]
fn norm2(x: &Vector2<f64>) -> f64 {
    x.norm_squared()
}

#[differentiable]
fn scaled(t: &f64, s: f64) -> f64 {
    t * s
}

/// Free functions called with references to local values: a static vector and a float.
#[differentiable]
fn doubled(y: Vector2<f64>) -> f64 {
    let z = y * 2.0;
    let t = z.x + 1.0;
    norm2(&z) + scaled(&t, y.y)
}

fn gaussian(c: &[f64]) -> Gaussian {
    Gaussian { mean: Vector2::new(c[0], c[1]), log_std: Vector2::new(c[2], c[3]) }
}

fn coords(g: &Gaussian) -> Vec<f64> {
    g.mean.iter().chain(g.log_std.iter()).copied().collect()
}

const POINTS: [[f64; 4]; 3] = [[0.1, -0.2, 0.3, 0.0], [1.0, 0.5, -0.4, 0.2], [-0.7, 0.3, 0.1, -0.5]];

#[test]
fn a_method_differentiated_in_self_alone_called_over_the_data() {
    let xs = [Vector2::new(1.0, 1.0), Vector2::new(0.0, 0.5), Vector2::new(-1.0, 2.0)];
    let (v, u) = ([0.3, -0.1, 0.5, 0.2], 0.9);
    for point in POINTS {
        let g = gaussian(&point);
        let (value, grad) = g.batch_grad(&xs);
        assert_eq!(value, g.batch(&xs));
        gradient_central("batch", &|c| gaussian(c).batch(&xs), &point, &coords(&grad), 1e-7);
        // Analytic: the mean of -z / sigma (mean) and 1 - z^2 (log std) over the points.
        let sigma = g.log_std.map(f64::exp);
        let mut want = [0.0; 4];
        for x in &xs {
            let z = (x - g.mean).component_div(&sigma);
            for k in 0..2 {
                want[k] += -z[k] / sigma[k] / 3.0;
                want[k + 2] += (1.0 - z[k] * z[k]) / 3.0;
            }
        }
        for (got, w) in coords(&grad).iter().zip(want) {
            assert!(close(*got, w, 1e-13), "{got} != {w}");
        }
        let (_, t) = g.batch_jvp(&xs, gaussian(&v));
        let (_, pullback) = g.batch_vjp(&xs);
        forward_against_reverse("batch", t, &v, u, &coords(&pullback(u)), 1e-12);
    }
}

#[test]
fn a_method_called_with_a_reference_to_a_local_vector() {
    let y = Vector2::new(1.0, 2.0);
    for point in POINTS {
        let g = gaussian(&point);
        let (value, (gp, gy)) = g.shifted_grad(y);
        assert_eq!(value, g.shifted(y));
        // Analytic: with d = 2y - mean and s = exp(log_std.x): d/dmean = -2 d s,
        // d/dlog_std.x = |d|^2 s, d/dy = 4 d s.
        let (d, s) = (y * 2.0 - g.mean, g.log_std.x.exp());
        let want = [-2.0 * d.x * s, -2.0 * d.y * s, d.norm_squared() * s, 0.0];
        for (got, w) in coords(&gp).iter().zip(want) {
            assert!(close(*got, w, 1e-13), "{got} != {w}");
        }
        assert!(close(gy.x, 4.0 * d.x * s, 1e-13) && close(gy.y, 4.0 * d.y * s, 1e-13));
        let (value_y, gy_only) = g.shifted_in_y_grad(y);
        assert_eq!((value_y, gy_only), (value, gy));
        let (_, ty) = g.shifted_in_y_jvp(y, Vector2::new(0.3, -0.4));
        let (_, pullback_y) = g.shifted_in_y_vjp(y);
        assert!(close(0.6 * ty, pullback_y(0.6).dot(&Vector2::new(0.3, -0.4)), 1e-12));
        gradient_central("shifted", &|c| gaussian(c).shifted(y), &point, &coords(&gp), 1e-7);
        let (v, vy, u) = ([0.2, 0.4, -0.3, 0.6], Vector2::new(-0.5, 0.8), 1.1);
        let (_, t) = g.shifted_jvp(y, gaussian(&v), vy);
        let (_, pullback) = g.shifted_vjp(y);
        let (cp, cy) = pullback(u);
        let (flat_v, flat_c) =
            ([&v[..], vy.as_slice()].concat(), [coords(&cp), cy.as_slice().to_vec()].concat());
        forward_against_reverse("shifted", t, &flat_v, u, &flat_c, 1e-12);
    }
}

#[test]
fn functions_called_with_references_to_local_values() {
    for y in [[1.0, 2.0], [-0.5, 0.3], [2.5, -1.5]] {
        let yv = Vector2::new(y[0], y[1]);
        let (value, g) = doubled_grad(yv);
        assert_eq!(value, doubled(yv));
        // Analytic: 4 |y|^2 + (2 y0 + 1) y1.
        assert!(
            close(g.x, 8.0 * y[0] + 2.0 * y[1], 1e-14) && close(g.y, 8.0 * y[1] + 2.0 * y[0] + 1.0, 1e-14)
        );
        gradient_central("doubled", &|c| doubled(Vector2::new(c[0], c[1])), &y, &[g.x, g.y], 1e-7);
        let (v, u) = (Vector2::new(0.7, -0.2), 0.8);
        let (_, t) = doubled_jvp(yv, v);
        let (_, pullback) = doubled_vjp(yv);
        assert!(close(u * t, pullback(u).dot(&v), 1e-12));
    }
}
