//! `f32` functions and mixed-precision casts: the same rules, instantiated at `f32`.

use tapeless::differentiable;

#[differentiable]
fn single(x: f32, y: f32) -> f32 {
    (x * y).sin() + x.exp() / (1.0 + y * y) + x.powi(2) * y.tanh()
}

#[differentiable]
fn mixed(x: f32, y: f64) -> f64 {
    let wide = x as f64;
    let narrow = (y * wide) as f32;
    (narrow.cos() as f64) * y + wide.ln_1p()
}

fn central(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-3;
    (f(x + h) - f(x - h)) / (2.0 * h)
}

#[test]
fn f32_gradient_matches_f64_reference_and_forward_mode() {
    // The same formula in f64 is the reference for the f32 derivative.
    let reference = |x: f64, y: f64| (x * y).sin() + x.exp() / (1.0 + y * y) + x.powi(2) * y.tanh();
    for (x, y) in [(0.5f32, 1.0f32), (-1.2, 0.3), (2.0, -0.7)] {
        let (value, (gx, gy)) = single_grad(x, y);
        assert_eq!(value, single(x, y));
        let fx = central(|t| reference(t, y as f64), x as f64);
        let fy = central(|t| reference(x as f64, t), y as f64);
        assert!((gx as f64 - fx).abs() < 1e-4 * fx.abs().max(1.0), "{gx} vs {fx}");
        assert!((gy as f64 - fy).abs() < 1e-4 * fy.abs().max(1.0), "{gy} vs {fy}");
        let (_, t) = single_jvp(x, y, 0.25, -0.5);
        let (_, pullback) = single_vjp(x, y);
        let (cx, cy) = pullback(2.0);
        assert!((2.0 * t - (cx * 0.25 - cy * 0.5)).abs() < 1e-5 * t.abs().max(1.0));
    }
}

#[test]
fn casts_between_f32_and_f64_carry_the_derivative() {
    for (x, y) in [(0.5f32, 1.0f64), (1.5, -0.3), (0.1, 2.0)] {
        let (value, (gx, gy)) = mixed_grad(x, y);
        assert_eq!(value, mixed(x, y));
        // f32 rounding inside makes finite differences coarse: compare with the analytic form.
        let (xw, n) = (x as f64, (y * x as f64) as f32 as f64);
        let s = (n as f32).sin() as f64;
        let expected_x = -s * y * y + 1.0 / (1.0 + xw);
        let expected_y = -s * xw * y + (n as f32).cos() as f64;
        assert!((gx as f64 - expected_x).abs() < 1e-5 * expected_x.abs().max(1.0), "{gx} vs {expected_x}");
        assert!((gy - expected_y).abs() < 1e-5 * expected_y.abs().max(1.0), "{gy} vs {expected_y}");
        let (_, t) = mixed_jvp(x, y, 1.0, 0.0);
        assert!((t - gx as f64).abs() < 1e-6 * t.abs().max(1.0));
    }
}
