//! Calls of the `libm` crate's functions, as `no_std` and portable numeric code writes them:
//! `libm::log1p(x)` is the rule of `x.ln_1p()` (`rules::libm`), its value the call as written.
//! Before, each was rustc's "cannot find function `log1p_jvp` in crate `libm`". Checked against
//! closed forms, central differences, forward against reverse, and the Hessian against an
//! analytic one and central differences of `_grad`.

mod common;

use common::{central, close};
use tapeless::differentiable;

/// `log(1 + x) + expm1(y/2) + atan2(y, x) + x^y + |y| + fma(x, y, 1)`.
#[differentiable(hessian)]
fn soft(x: f64, y: f64) -> f64 {
    libm::log1p(x)
        + libm::expm1(0.5 * y)
        + libm::atan2(y, x)
        + libm::pow(x, y)
        + libm::fabs(y)
        + libm::fma(x, y, 1.0)
}

/// The `f32` functions (`sinf`, `powf`, `log1pf`).
#[differentiable]
fn soft32(x: f32, y: f32) -> f32 {
    libm::sinf(x) * libm::powf(x, y) + libm::log1pf(y * y)
}

fn gradient(x: f64, y: f64) -> [f64; 2] {
    let r2 = x * x + y * y;
    [
        1.0 / (1.0 + x) - y / r2 + y * x.powf(y - 1.0) + y,
        0.5 * (0.5 * y).exp() + x / r2 + x.powf(y) * x.ln() + y.signum() + x,
    ]
}

#[test]
fn libm_functions_differentiate_as_the_methods_they_compute() {
    for (x, y) in [(0.7, 1.3), (1.9, -0.4), (0.35, 2.2)] {
        let (v, (gx, gy)) = soft_grad(x, y);
        assert_eq!(v, soft(x, y));
        let want = gradient(x, y);
        let fd = [central(&|p| soft(p[0], p[1]), &[x, y], 0), central(&|p| soft(p[0], p[1]), &[x, y], 1)];
        for (i, g) in [gx, gy].into_iter().enumerate() {
            assert!(close(g, want[i], 1e-13), "d{i}: {g} vs {}", want[i]);
            assert!(close(g, fd[i], 1e-8), "d{i}: {g} vs central {}", fd[i]);
        }
        let (_, t) = soft_jvp(x, y, 0.3, -0.8);
        let (_, pullback) = soft_vjp(x, y);
        let (bx, by) = pullback(1.5);
        assert!(close(1.5 * t, 0.3 * bx - 0.8 * by, 1e-13));
        // Second order: analytic, and central differences of `_grad`.
        let (_, _, h) = soft_hessian(x, y);
        let r2 = x * x + y * y;
        let pow = x.powf(y);
        let hxx = -1.0 / (1.0 + x).powi(2) + 2.0 * x * y / (r2 * r2) + y * (y - 1.0) * x.powf(y - 2.0);
        let hxy = (y * y - x * x) / (r2 * r2) + x.powf(y - 1.0) * (1.0 + y * x.ln()) + 1.0;
        let hyy = 0.25 * (0.5 * y).exp() - 2.0 * x * y / (r2 * r2) + pow * x.ln().powi(2);
        let want = [[hxx, hxy], [hxy, hyy]];
        for r in 0..2 {
            let row = [
                central(&|p| soft_grad(p[0], p[1]).1.0, &[x, y], r),
                central(&|p| soft_grad(p[0], p[1]).1.1, &[x, y], r),
            ];
            for c in 0..2 {
                assert!(close(h[(r, c)], want[r][c], 1e-12), "H[{r},{c}] = {} vs {}", h[(r, c)], want[r][c]);
                assert!(close(h[(r, c)], row[c], 1e-7), "H[{r},{c}] vs central {}", row[c]);
            }
        }
        assert_eq!(h[(0, 1)], h[(1, 0)]);
    }
}

#[test]
fn the_f32_functions() {
    for (x, y) in [(0.7f32, 1.3f32), (1.9, -0.4)] {
        let (v, (gx, gy)) = soft32_grad(x, y);
        assert_eq!(v, soft32(x, y));
        let (xd, yd) = (x as f64, y as f64);
        let wx = xd.cos() * xd.powf(yd) + xd.sin() * yd * xd.powf(yd - 1.0);
        let wy = xd.sin() * xd.powf(yd) * xd.ln() + 2.0 * yd / (1.0 + yd * yd);
        assert!(close(gx as f64, wx, 1e-5) && close(gy as f64, wy, 1e-5), "{gx} {gy} vs {wx} {wy}");
        let (_, t) = soft32_jvp(x, y, 1.0, 0.0);
        assert!(close(t as f64, gx as f64, 1e-6));
    }
}

/// `libm::erf` and `erfc`: the runtime's `tapeless::math` versions (libm's, with derivatives).
/// The standard normal CDF `Φ(z) = (1 + erf(z/√2))/2`, and `erfc`'s tail.
#[differentiable(hessian)]
fn normal_cdf(z: f64) -> f64 {
    0.5 * (1.0 + libm::erf(z * std::f64::consts::FRAC_1_SQRT_2)) + 0.25 * libm::erfc(z)
}

#[test]
fn erf_and_erfc_of_libm() {
    let pi = std::f64::consts::PI;
    for z in [-1.3, 0.0, 0.4, 2.1] {
        let (v, g) = normal_cdf_grad(z);
        assert_eq!(v, normal_cdf(z));
        // Φ'(z) = φ(z); erfc'(z) = -2/√π e^(-z²).
        let want = (-z * z / 2.0).exp() / (2.0 * pi).sqrt() - 0.5 / pi.sqrt() * (-z * z).exp();
        assert!(close(g, want, 1e-14), "{g} vs {want}");
        assert!(close(g, central(&|p| normal_cdf(p[0]), &[z], 0), 1e-8));
        let (_, t) = normal_cdf_jvp(z, 0.6);
        assert!(close(t, 0.6 * g, 1e-15));
        let (_, _, h) = normal_cdf_hessian(z);
        let want2 = -z * (-z * z / 2.0).exp() / (2.0 * pi).sqrt() + z / pi.sqrt() * (-z * z).exp();
        assert!(close(h[(0, 0)], want2, 1e-13), "{} vs {want2}", h[(0, 0)]);
    }
}
