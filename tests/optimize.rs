//! The optimizer example's runs converge: argmin's L-BFGS (tapeless gradients) and trust region
//! (tapeless gradients and Hessians) reach Rosenbrock's minimum at (1, .., 1) in 100 dimensions,
//! and agree on a logistic regression's minimum, where central differences of the loss (not the
//! generated gradient) vanish.

#[path = "../examples/optimize/problems.rs"]
mod problems;

use problems::{Logistic, Rosenbrock, lbfgs, logistic_loss, norm, trust_region};

#[test]
fn lbfgs_and_trust_region_reach_rosenbrocks_minimum() {
    let start: Vec<f64> = (0..100).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect();
    for outcome in [
        lbfgs(Rosenbrock, start, 2000).expect("L-BFGS runs"),
        trust_region(Rosenbrock, vec![0.0; 100], 1e-20, 2000).expect("trust region runs"),
    ] {
        assert!(outcome.iterations < 2000, "stopped by its criterion, not the cap: {outcome:?}");
        assert!(outcome.value < 1e-18, "{outcome:?}");
        assert!(outcome.gradient_norm < 1e-8, "{outcome:?}");
        assert!(outcome.param.iter().all(|x| (x - 1.0).abs() < 1e-8), "{outcome:?}");
    }
}

#[test]
fn both_solvers_agree_on_a_logistic_regression() {
    let problem = Logistic::synthetic(400, 6);
    let (data, labels, lambda) = (problem.data.clone(), problem.labels.clone(), problem.lambda);
    let quasi_newton = lbfgs(Logistic::synthetic(400, 6), vec![0.0; 6], 500).expect("L-BFGS runs");
    let newton = trust_region(problem, vec![0.0; 6], f64::NEG_INFINITY, 30).expect("trust region runs");
    assert!(newton.gradient_norm < 1e-10 && quasi_newton.gradient_norm < 1e-8, "{newton:?} {quasi_newton:?}");
    for (a, b) in newton.param.iter().zip(&quasi_newton.param) {
        assert!((a - b).abs() < 1e-7, "{newton:?} vs {quasi_newton:?}");
    }
    // The loss is stationary there by central differences of the loss itself.
    let w = &newton.param;
    let central: Vec<f64> = (0..6)
        .map(|i| {
            let h = 1e-6;
            let (mut up, mut down) = (w.clone(), w.clone());
            up[i] += h;
            down[i] -= h;
            (logistic_loss(&up, &data, &labels, lambda) - logistic_loss(&down, &data, &labels, lambda))
                / (2.0 * h)
        })
        .collect();
    assert!(norm(&central) < 1e-8, "{central:?}");
}
