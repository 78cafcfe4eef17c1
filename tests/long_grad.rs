//! A function long enough that `_grad` is `_vjp` with the seed 1 (`emit::reverse::LONG`): its
//! gradient against the one written by hand, the derivative carried by hand and central
//! differences, and forward mode against reverse mode. The chain contracts, so some
//! derivatives are about 1e-12: they are compared relative to their own size (central
//! differences, accurate to about 1e-10 absolute here, only bound them).

#[path = "common/long_chain.rs"]
mod long_chain;

use long_chain::{big, big_grad, big_hand, big_jvp, big_tangent, big_vjp};

/// `a` and `b` agree to `tol` relative to the larger.
#[track_caller]
fn same(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol * a.abs().max(b.abs()), "{a} vs {b}");
}

const POINTS: [(f64, f64); 3] = [(0.3, 0.7), (-1.1, 0.4), (2.0, -0.5)];

#[test]
fn gradient_matches_the_hand_written_one_and_central_differences() {
    for (x, y) in POINTS {
        let (value, (gx, gy)) = big_grad(x, y);
        let (hand_value, (hx, hy)) = big_hand(x, y);
        same(value, big(x, y), 1e-12);
        same(value, hand_value, 1e-12);
        same(gx, hx, 1e-9);
        same(gy, hy, 1e-9);
        same(gx, big_tangent(x, y, 1.0, 0.0), 1e-9);
        same(gy, big_tangent(x, y, 0.0, 1.0), 1e-9);
        let h = 1e-5;
        let cx = (big(x + h, y) - big(x - h, y)) / (2.0 * h);
        let cy = (big(x, y + h) - big(x, y - h)) / (2.0 * h);
        assert!((gx - cx).abs() <= 1e-8 && (gy - cy).abs() <= 1e-8, "({gx}, {gy}) vs ({cx}, {cy})");
    }
}

#[test]
fn forward_mode_agrees_with_reverse_mode() {
    for (x, y) in POINTS {
        let (u, v, w) = (0.6, -1.3, 1.7);
        let (value, jv) = big_jvp(x, y, u, v);
        let (vjp_value, pullback) = big_vjp(x, y);
        let (bx, by) = pullback(w);
        same(value, vjp_value, 1e-12);
        same(w * jv, bx * u + by * v, 1e-9);
        same(jv, big_tangent(x, y, u, v), 1e-9);
    }
}
