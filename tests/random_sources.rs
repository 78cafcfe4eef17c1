//! A random source passed as `rng: &mut R` (stochastic optimisation, Monte Carlo estimates with
//! the reparameterisation trick): a constant the body calls methods of, passed through to every
//! generated item, each draw made once, in the primal sweep, and saved for the reverse sweep
//! (never drawn again there). Before, "a `&mut` parameter is not supported". The generator is a
//! small LCG of this file, so the test needs no `rand`. Checked against the primal's value at
//! the same seed, closed forms over the same draws, central differences at a fixed seed, and
//! forward against reverse mode.

mod common;

use common::close;
use tapeless::differentiable;

/// A linear congruential generator: uniform draws in `[0, 1)`, and a counter of draws.
pub struct Lcg {
    state: u64,
    pub draws: usize,
}

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Lcg { state: seed.wrapping_mul(6364136223846793005).wrapping_add(1), draws: 0 }
    }
    pub fn uniform(&mut self) -> f64 {
        self.draws += 1;
        self.state = self.state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.state >> 11) as f64 * 2f64.powi(-53)
    }
}

/// `mean((μ + σ z_i)²)` over centred draws, every other term a sine times a second draw.
#[differentiable(wrt(mu, sigma))]
pub fn estimate(mu: f64, sigma: f64, rng: &mut Lcg, n: usize) -> f64 {
    let mut s = 0.0;
    let _ = rng.uniform();
    for i in 0..n {
        let z = rng.uniform() - 0.5;
        let x = mu + sigma * z;
        if i % 2 == 0 {
            s += x * x;
        } else {
            s += x.sin() * rng.uniform();
        }
    }
    s / n as f64
}

/// The same estimate and its gradient by hand, from the same draws.
fn by_hand(mu: f64, sigma: f64, seed: u64, n: usize) -> (f64, f64, f64) {
    let mut rng = Lcg::new(seed);
    let _ = rng.uniform();
    let (mut s, mut dm, mut ds) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let z = rng.uniform() - 0.5;
        let x = mu + sigma * z;
        if i % 2 == 0 {
            s += x * x;
            dm += 2.0 * x;
            ds += 2.0 * x * z;
        } else {
            let u = rng.uniform();
            s += x.sin() * u;
            dm += x.cos() * u;
            ds += x.cos() * u * z;
        }
    }
    let n = n as f64;
    (s / n, dm / n, ds / n)
}

#[test]
fn draws_are_made_once_and_saved() {
    for (n, seed) in [(1, 3), (7, 9), (100, 11)] {
        let (want, dm, ds) = by_hand(0.5, 2.0, seed, n);
        assert_eq!(estimate(0.5, 2.0, &mut Lcg::new(seed), n), want);
        let mut rng = Lcg::new(seed);
        let (value, (gm, gs)) = estimate_grad(0.5, 2.0, &mut rng, n);
        assert_eq!(value, want);
        assert!(close(gm, dm, 1e-14) && close(gs, ds, 1e-14), "({gm}, {gs}) vs ({dm}, {ds})");
        // As many draws as the primal makes: none again in the reverse sweep.
        let mut primal_rng = Lcg::new(seed);
        estimate(0.5, 2.0, &mut primal_rng, n);
        assert_eq!(rng.draws, primal_rng.draws);
        // Central differences at the same seed.
        let f = |mu: f64, sigma: f64| estimate(mu, sigma, &mut Lcg::new(seed), n);
        let h = 1e-6;
        assert!(close(gm, (f(0.5 + h, 2.0) - f(0.5 - h, 2.0)) / (2.0 * h), 1e-8));
        assert!(close(gs, (f(0.5, 2.0 + h) - f(0.5, 2.0 - h)) / (2.0 * h), 1e-8));
        // Forward against reverse.
        let (v, t) = estimate_jvp(0.5, 2.0, &mut Lcg::new(seed), n, 0.3, -0.7);
        assert_eq!(v, want);
        let mut vjp_rng = Lcg::new(seed);
        let (v, pullback) = estimate_vjp(0.5, 2.0, &mut vjp_rng, n);
        assert_eq!(v, want);
        let (bm, bs) = pullback(1.5);
        assert!(close(1.5 * t, 0.3 * bm - 0.7 * bs, 1e-13));
    }
}
