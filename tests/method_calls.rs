//! Methods with `wrt(self, ..)` called from other differentiated functions on a struct the
//! caller builds, as simulation code steps its state (`s = s.advance(dt, k)`) and physics code
//! asks an element for its energy (`spring.energy(x)`). Before, the call passed a tangent for
//! every float argument and none for the receiver (rustc's arity error inside generated code),
//! and a `&self` method's pullback borrowed the caller's local (rustc's E0716 in `_vjp`). Each
//! checked against a closed form or a derivative carried by hand, central differences, and
//! forward mode against reverse mode.

mod common;

use common::{close, forward_against_reverse, gradient_central};
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Copy, Debug, Differentiable)]
pub struct Pendulum {
    pub angle: f64,
    pub speed: f64,
}

#[differentiable]
impl Pendulum {
    /// One semi-implicit Euler step of `θ'' = -k sin θ`, `self` taken by value.
    #[differentiable(wrt(self, k))]
    pub fn advance(self, dt: f64, k: f64) -> Pendulum {
        let speed = self.speed - dt * k * self.angle.sin();
        Pendulum { angle: self.angle + dt * speed, speed }
    }

    /// Its energy, `self` borrowed.
    #[differentiable(wrt(self, k))]
    pub fn energy(&self, k: f64) -> f64 {
        0.5 * self.speed * self.speed + k * (1.0 - self.angle.cos())
    }
}

/// The energy after 30 steps from rest at `angle0`.
#[differentiable(wrt(angle0, k))]
fn swing(angle0: f64, k: f64) -> f64 {
    let mut p = Pendulum { angle: angle0, speed: 0.0 };
    for _ in 0..30 {
        p = p.advance(0.05, k);
    }
    p.energy(k)
}

/// `swing` and its gradient, the tangents carried by hand.
fn swing_by_hand(angle0: f64, k: f64) -> (f64, [f64; 2]) {
    let (mut a, mut s) = (angle0, 0.0);
    let (mut da, mut ds) = ([1.0, 0.0], [0.0, 0.0]);
    let dt = 0.05;
    for _ in 0..30 {
        let ns = s - dt * k * a.sin();
        let mut nds = [0.0; 2];
        let mut nda = [0.0; 2];
        for j in 0..2 {
            nds[j] = ds[j] - dt * k * a.cos() * da[j] - if j == 1 { dt * a.sin() } else { 0.0 };
            nda[j] = da[j] + dt * nds[j];
        }
        (a, s, da, ds) = (a + dt * ns, ns, nda, nds);
    }
    let e = 0.5 * s * s + k * (1.0 - a.cos());
    let g = |j: usize| s * ds[j] + k * a.sin() * da[j] + if j == 1 { 1.0 - a.cos() } else { 0.0 };
    (e, [g(0), g(1)])
}

#[test]
fn a_state_stepped_by_its_own_method() {
    for (angle0, k) in [(0.4, 9.8), (1.2, 2.0), (-0.8, 5.5)] {
        let (value, (ga, gk)) = swing_grad(angle0, k);
        assert_eq!(value, swing(angle0, k));
        let (hand, exact) = swing_by_hand(angle0, k);
        assert!(close(value, hand, 1e-13), "{value} vs {hand}");
        assert!(close(ga, exact[0], 1e-12) && close(gk, exact[1], 1e-12), "({ga}, {gk}) vs {exact:?}");
        gradient_central("swing", &|p| swing(p[0], p[1]), &[angle0, k], &[ga, gk], 1e-7);
        let (_, tangent) = swing_jvp(angle0, k, 0.3, -0.6);
        let (_, pullback) = swing_vjp(angle0, k);
        let (a, b) = pullback(1.1);
        forward_against_reverse("swing", tangent, &[0.3, -0.6], 1.1, &[a, b], 1e-12);
    }
}

#[derive(Clone, Copy, Debug, Differentiable)]
pub struct Spring {
    pub k: f64,
    pub rest: f64,
}

impl Spring {
    /// A lone method's attribute: `½ k (x - rest)² scale`.
    #[differentiable(wrt(self, x))]
    pub fn energy(&self, x: f64, scale: f64) -> f64 {
        0.5 * self.k * (x - self.rest).powi(2) * scale
    }
}

/// Springs built in the body, one per iteration, asked for their energy: `Σ_i ½ (i k)
/// (x - i/10)²` plus a constant spring at `x²`.
#[differentiable(wrt(k, x))]
fn chain_energy(k: f64, x: f64) -> f64 {
    let anchor = Spring { k: 2.0, rest: 0.5 };
    let mut e = anchor.energy(x * x, 1.0);
    for i in 0..5 {
        let s = Spring { k: k * i as f64, rest: 0.1 * i as f64 };
        e += s.energy(x, 1.0);
    }
    e
}

#[test]
fn energies_of_springs_built_in_the_body() {
    for (k, x) in [(1.5, 0.7), (0.3, -1.2), (4.0, 2.5)] {
        let (value, (gk, gx)) = chain_energy_grad(k, x);
        assert_eq!(value, chain_energy(k, x));
        // Closed form.
        let gk_exact: f64 = (0..5).map(|i| 0.5 * i as f64 * (x - 0.1 * i as f64).powi(2)).sum();
        let gx_exact: f64 =
            2.0 * (x * x - 0.5) * 2.0 * x + (0..5).map(|i| k * i as f64 * (x - 0.1 * i as f64)).sum::<f64>();
        assert!(
            close(gk, gk_exact, 1e-13) && close(gx, gx_exact, 1e-13),
            "({gk}, {gx}) vs ({gk_exact}, {gx_exact})"
        );
        gradient_central("chain_energy", &|p| chain_energy(p[0], p[1]), &[k, x], &[gk, gx], 1e-7);
        let (_, tangent) = chain_energy_jvp(k, x, -0.4, 0.9);
        let (_, pullback) = chain_energy_vjp(k, x);
        let (a, b) = pullback(0.7);
        forward_against_reverse("chain_energy", tangent, &[-0.4, 0.9], 0.7, &[a, b], 1e-12);
    }
}
