//! Optimizers with tapeless derivatives: argmin's L-BFGS with `_grad`, and its trust-region
//! method (Steihaug's subproblem solver) with `_grad` and `_hessian`, on Rosenbrock's function
//! in 100 dimensions and on a logistic regression.
//!
//! `cargo run --release --example optimize`
//!
//! argmin-math's `vec` backend is used: parameters are `Vec<f64>` and Hessians `Vec<Vec<f64>>`.
//! It has no matrix inverse, so there is no plain Newton step; the trust region needs only
//! Hessian-vector products of the `Vec` Hessian, which the `vec` backend has. (The nalgebra
//! backend of argmin-math 0.5 supports nalgebra up to 0.34; tapeless uses 0.35.)

mod problems;

use problems::{Logistic, Outcome, Rosenbrock, lbfgs, trust_region};

fn report(name: &str, outcome: &Outcome) {
    println!(
        "{name:<40} {:>5} iterations   f = {:<12.6e}   |grad f| = {:.3e}",
        outcome.iterations, outcome.value, outcome.gradient_norm
    );
}

fn main() -> Result<(), argmin::core::Error> {
    let start: Vec<f64> = (0..100).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect();
    report("Rosenbrock n = 100, L-BFGS", &lbfgs(Rosenbrock, start, 2000)?);
    report("Rosenbrock n = 100, trust region", &trust_region(Rosenbrock, vec![0.0; 100], 1e-20, 2000)?);
    let logistic = || Logistic::synthetic(400, 6);
    report("logistic regression 400 x 6, L-BFGS", &lbfgs(logistic(), vec![0.0; 6], 500)?);
    let outcome = trust_region(logistic(), vec![0.0; 6], f64::NEG_INFINITY, 30)?;
    report("logistic regression 400 x 6, trust region", &outcome);
    println!("weights {:.3?}", outcome.param);
    Ok(())
}
