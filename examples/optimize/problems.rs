//! The problems of `examples/optimize` (also used by `tests/optimize.rs`): each objective is an
//! ordinary function with `#[differentiable(hessian)]`, and argmin's traits are three short
//! impls over the generated `_grad` and `_hessian`.

use argmin::core::{CostFunction, Error, Gradient, Hessian};
use tapeless::differentiable;

/// Rosenbrock's function in n dimensions: minimum 0 at (1, .., 1).
#[differentiable(hessian)]
pub fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    s
}

/// Mean logistic loss of a linear model plus an L2 penalty: `data` is row-major, one row per
/// label (0 or 1), `w.len()` columns.
#[differentiable(hessian, wrt(w))]
pub fn logistic_loss(w: &[f64], data: &[f64], labels: &[f64], lambda: f64) -> f64 {
    let d = w.len();
    let mut loss = 0.0;
    for r in 0..labels.len() {
        let mut z = 0.0;
        for c in 0..d {
            z += data[r * d + c] * w[c];
        }
        // log(1 + e^z) - y z, stable for either sign of z.
        let softplus = if tapeless::piecewise(z > 0.0) { z + (-z).exp().ln_1p() } else { z.exp().ln_1p() };
        loss += softplus - labels[r] * z;
    }
    let mut norm = 0.0;
    for wc in w {
        norm += wc * wc;
    }
    loss / labels.len() as f64 + 0.5 * lambda * norm
}

/// A tapeless Hessian as argmin's `vec` backend holds one: a `Vec` of rows.
fn rows(h: &nalgebra::DMatrix<f64>) -> Vec<Vec<f64>> {
    h.row_iter().map(|row| row.iter().copied().collect()).collect()
}

/// Rosenbrock as an argmin problem.
pub struct Rosenbrock;

impl CostFunction for Rosenbrock {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
        Ok(rosenbrock(x))
    }
}

impl Gradient for Rosenbrock {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Error> {
        Ok(rosenbrock_grad(x).1)
    }
}

impl Hessian for Rosenbrock {
    type Param = Vec<f64>;
    type Hessian = Vec<Vec<f64>>;
    fn hessian(&self, x: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
        Ok(rows(&rosenbrock_hessian(x).2))
    }
}

/// A logistic regression on synthetic data as an argmin problem.
pub struct Logistic {
    pub data: Vec<f64>,
    pub labels: Vec<f64>,
    pub lambda: f64,
}

impl Logistic {
    /// `rows` points of `cols` features (the first a constant 1), labelled by a known linear
    /// rule with some noise: deterministic, no random number generator.
    pub fn synthetic(rows: usize, cols: usize) -> Logistic {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 * 2f64.powi(-53) * 2.0 - 1.0
        };
        let truth: Vec<f64> = (0..cols).map(|c| 1.0 - 0.5 * c as f64).collect();
        let mut data = Vec::with_capacity(rows * cols);
        let mut labels = Vec::with_capacity(rows);
        for _ in 0..rows {
            let row: Vec<f64> = (0..cols).map(|c| if c == 0 { 1.0 } else { 2.0 * next() }).collect();
            let z: f64 = row.iter().zip(&truth).map(|(a, b)| a * b).sum::<f64>() + 0.5 * next();
            labels.push(if z > 0.0 { 1.0 } else { 0.0 });
            data.extend(row);
        }
        Logistic { data, labels, lambda: 0.01 }
    }
}

impl CostFunction for Logistic {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, w: &Vec<f64>) -> Result<f64, Error> {
        Ok(logistic_loss(w, &self.data, &self.labels, self.lambda))
    }
}

impl Gradient for Logistic {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, w: &Vec<f64>) -> Result<Vec<f64>, Error> {
        Ok(logistic_loss_grad(w, &self.data, &self.labels, self.lambda).1)
    }
}

impl Hessian for Logistic {
    type Param = Vec<f64>;
    type Hessian = Vec<Vec<f64>>;
    fn hessian(&self, w: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
        Ok(rows(&logistic_loss_hessian(w, &self.data, &self.labels, self.lambda).2))
    }
}

/// What a run reached.
#[derive(Debug)]
pub struct Outcome {
    pub param: Vec<f64>,
    pub value: f64,
    pub gradient_norm: f64,
    pub iterations: u64,
}

/// The Euclidean norm.
pub fn norm(v: &[f64]) -> f64 {
    v.iter().map(|e| e * e).sum::<f64>().sqrt()
}

/// L-BFGS (memory 7, More-Thuente line search) from `start`, with tapeless gradients.
pub fn lbfgs<P>(problem: P, start: Vec<f64>, max_iters: u64) -> Result<Outcome, Error>
where
    P: CostFunction<Param = Vec<f64>, Output = f64> + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
{
    use argmin::core::{Executor, State};
    use argmin::solver::linesearch::MoreThuenteLineSearch;
    use argmin::solver::quasinewton::LBFGS;
    let solver =
        LBFGS::new(MoreThuenteLineSearch::new(), 7).with_tolerance_grad(1e-10)?.with_tolerance_cost(0.0)?;
    let result =
        Executor::new(problem, solver).configure(|state| state.param(start).max_iters(max_iters)).run()?;
    outcome(&result.problem.problem, result.state.get_best_param(), result.state.get_iter())
}

/// A trust region (Steihaug's conjugate gradients in the subproblem) from `start`, with
/// tapeless gradients and Hessians; it stops at `target` or after `max_iters` iterations.
pub fn trust_region<P>(problem: P, start: Vec<f64>, target: f64, max_iters: u64) -> Result<Outcome, Error>
where
    P: CostFunction<Param = Vec<f64>, Output = f64>
        + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>
        + Hessian<Param = Vec<f64>, Hessian = Vec<Vec<f64>>>,
{
    use argmin::core::{Executor, State};
    use argmin::solver::trustregion::{Steihaug, TrustRegion};
    let solver = TrustRegion::new(Steihaug::new().with_max_iters(50));
    let result = Executor::new(problem, solver)
        .configure(|state| state.param(start).max_iters(max_iters).target_cost(target))
        .run()?;
    outcome(&result.problem.problem, result.state.get_best_param(), result.state.get_iter())
}

fn outcome<P>(problem: &Option<P>, param: Option<&Vec<f64>>, iterations: u64) -> Result<Outcome, Error>
where
    P: CostFunction<Param = Vec<f64>, Output = f64> + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
{
    let (Some(problem), Some(param)) = (problem, param) else {
        return Err(argmin::core::ArgminError::NotInitialized { text: "no result".into() }.into());
    };
    Ok(Outcome {
        value: problem.cost(param)?,
        gradient_norm: norm(&problem.gradient(param)?),
        param: param.clone(),
        iterations,
    })
}
