//! A corpus of numeric functions written the way real code is (physics kernels, statistics,
//! geometry, finance, numerical methods), each differentiated by the macro and checked against
//! central differences and forward mode against reverse mode at a point in its domain.

// The functions are written as users write them.
#![allow(
    clippy::needless_range_loop,
    clippy::excessive_precision,
    clippy::manual_range_contains,
    clippy::type_complexity
)]

mod common;

use tapeless::{differentiable, piecewise};

/// `corpus! { name(x) { body } ... }`: a function `f(x: &[f64]) -> f64` of six values in
/// (0.2, 1.2) per module, with `hessian`, and a test checking first and second order.
macro_rules! corpus {
    ($($name:ident($x:ident) { $($body:tt)* })*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[differentiable(hessian)]
            pub fn f($x: &[f64]) -> f64 { $($body)* }
        }
        #[test]
        fn $name() {
            check_all(stringify!($name), &|x| $name::f(x), &|x| $name::f_grad(x), &|x, v| $name::f_jvp(x, v));
            check_second_order(stringify!($name), &|x| $name::f_grad(x), &|x, v| $name::f_hvp(x, v));
        }
    )*};
}

/// `_hvp` at the same point: its value and gradient are `_grad`'s, `H v` agrees with central
/// differences of `_grad` along `v`, and `<u, H v> = <v, H u>`.
fn check_second_order(
    name: &str,
    grad: &dyn Fn(&[f64]) -> (f64, Vec<f64>),
    hvp: &dyn Fn(&[f64], Vec<f64>) -> (f64, Vec<f64>, Vec<f64>),
) {
    let x = [0.7, 0.35, 1.1, 0.55, 0.9, 0.25];
    let (v, u) = (common::direction(6, 11), common::direction(6, 12));
    let (value, g) = grad(&x);
    let (hvalue, hg, hv) = hvp(&x, v.clone());
    assert_eq!((hvalue, &hg), (value, &g), "{name}: hvp's value and gradient");
    for i in 0..6 {
        let along = |s: f64| {
            let p: Vec<f64> = x.iter().zip(&v).map(|(a, b)| a + s * b).collect();
            grad(&p).1[i]
        };
        let h = 1e-4;
        let fd = (4.0 * (along(h / 2.0) - along(-h / 2.0)) / h - (along(h) - along(-h)) / (2.0 * h)) / 3.0;
        assert!(
            common::close(hv[i], fd, 1e-6),
            "{name}: (H v)[{i}] = {} but central differences of the gradient give {fd}",
            hv[i]
        );
    }
    let (_, _, hu) = hvp(&x, u.clone());
    let a: f64 = u.iter().zip(&hv).map(|(p, q)| p * q).sum();
    let b: f64 = v.iter().zip(&hu).map(|(p, q)| p * q).sum();
    assert!(common::close(a, b, 1e-10), "{name}: <u, H v> = {a} but <v, H u> = {b}");
}

/// Composition, first and second order (the callee has `hessian` too).
mod gaussian_log_likelihood {
    use super::*;
    #[differentiable(hessian)]
    pub fn f(x: &[f64]) -> f64 {
        let mut ll = 0.0;
        for i in 2..x.len() {
            ll += gaussian_log_density(x[i], x[0], x[1] + 0.5);
        }
        ll
    }
}

#[test]
fn gaussian_log_likelihood() {
    check_all(
        "gaussian_log_likelihood",
        &gaussian_log_likelihood::f,
        &|x| gaussian_log_likelihood::f_grad(x),
        &|x, v| gaussian_log_likelihood::f_jvp(x, v),
    );
    check_second_order("gaussian_log_likelihood", &|x| gaussian_log_likelihood::f_grad(x), &|x, v| {
        gaussian_log_likelihood::f_hvp(x, v)
    });
}

/// Checks `f` at a fixed point: gradient against central differences, JVP against gradient.
fn check_all(
    name: &str,
    f: &dyn Fn(&[f64]) -> f64,
    grad: &dyn Fn(&[f64]) -> (f64, Vec<f64>),
    jvp: &dyn Fn(&[f64], Vec<f64>) -> (f64, f64),
) {
    let x = [0.7, 0.35, 1.1, 0.55, 0.9, 0.25];
    let (value, g) = grad(&x);
    assert_eq!(value, f(&x), "{name}: value");
    for i in 0..x.len() {
        let fd = common::central(f, &x, i);
        assert!(
            common::close(g[i], fd, 1e-7),
            "{name}: d/dx{i} = {} but central differences give {fd}",
            g[i]
        );
    }
    let v = common::direction(6, 11);
    let (_, t) = jvp(&x, v.clone());
    let r: f64 = g.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!(common::close(t, r, 1e-11), "{name}: jvp {t} vs <g, v> {r}");
}

#[differentiable(hessian)]
fn gaussian_log_density(z: f64, mu: f64, sigma: f64) -> f64 {
    let r = (z - mu) / sigma;
    -0.5 * r * r - sigma.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
}

corpus! {
    // ---- physics ----
    spring_energy(x) {
        let k = 3.0;
        let stretch = x[0] - x[1];
        0.5 * k * stretch * stretch
    }
    gravitational_potential(x) {
        let r = ((x[0] - x[3]).powi(2) + (x[1] - x[4]).powi(2) + (x[2] - x[5]).powi(2)).sqrt();
        -x[0] * x[1] / r
    }
    lennard_jones(x) {
        let r = x[2] + 0.5;
        let sr6 = (x[1] / r).powi(6);
        4.0 * x[0] * (sr6 * sr6 - sr6)
    }
    kinetic_energy(x) {
        let mut e = 0.0;
        for i in 0..3 {
            e += 0.5 * x[i] * x[i + 3] * x[i + 3];
        }
        e
    }
    pendulum_period(x) {
        let g = 9.81;
        2.0 * std::f64::consts::PI * (x[0] / g).sqrt() * (1.0 + x[1] * x[1] / 16.0)
    }
    projectile_range(x) {
        let (v, theta) = (10.0 * x[0], x[1]);
        v * v * (2.0 * theta).sin() / 9.81
    }
    drag_force(x) {
        let rho = 1.225;
        0.5 * rho * x[0] * x[0] * x[1] * x[2]
    }
    damped_oscillator(x) {
        let (a, gamma, omega, t) = (x[0], x[1], x[2], x[3]);
        a * (-gamma * t).exp() * (omega * t).cos()
    }
    coulomb_energy(x) {
        let mut e = 0.0;
        for i in 0..3 {
            for j in (i + 1)..3 {
                let d = (x[i] - x[j]).abs() + 0.5;
                e += x[i + 3] * x[j + 3] / d;
            }
        }
        e
    }
    ideal_gas_work(x) {
        // W = n R T ln(V2 / V1).
        x[0] * 8.314 * x[1] * ((x[2] + x[3]) / x[2]).ln()
    }
    euler_integration(x) {
        let mut pos = x[0];
        let mut vel = x[1];
        let dt = 0.05;
        for _ in 0..20 {
            let acc = -x[2] * pos - x[3] * vel;
            pos += vel * dt;
            vel += acc * dt;
        }
        pos * pos + vel * vel
    }
    runge_kutta_step(x) {
        // One RK4 step of y' = -a y + sin(t).
        let (yv, a, t, h) = (x[0], x[1], x[2], 0.1);
        let k1 = -a * yv + t.sin();
        let k2 = -a * (yv + 0.5 * h * k1) + (t + 0.5 * h).sin();
        let k3 = -a * (yv + 0.5 * h * k2) + (t + 0.5 * h).sin();
        let k4 = -a * (yv + h * k3) + (t + h).sin();
        yv + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    }

    // ---- statistics ----
    mean_and_variance(x) {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let mut var = 0.0;
        for v in x.iter() {
            var += (v - mean) * (v - mean);
        }
        mean + var / (n - 1.0)
    }
    standard_deviation(x) {
        let n = x.len() as f64;
        let mut s = 0.0;
        let mut ss = 0.0;
        for &v in x {
            s += v;
            ss += v * v;
        }
        (ss / n - (s / n) * (s / n)).sqrt()
    }
    softmax_cross_entropy(x) {
        let m = x[0].max(x[1]).max(x[2]).max(x[3]).max(x[4]).max(x[5]);
        let mut z = 0.0;
        for v in x.iter() {
            z += (v - m).exp();
        }
        m + z.ln() - x[2]
    }
    logsumexp_loop(x) {
        let mut acc = 0.0;
        for (i, v) in x.iter().enumerate() {
            acc += (v * (i as f64 + 1.0)).exp();
        }
        acc.ln()
    }
    huber_loss(x) {
        let delta = 0.3;
        let mut s = 0.0;
        for i in 0..3 {
            let r = x[i] - x[i + 3];
            if piecewise(r.abs() <= delta) {
                s += 0.5 * r * r;
            } else {
                s += delta * (r.abs() - 0.5 * delta);
            }
        }
        s
    }
    log_cosh_loss(x) {
        let mut s = 0.0;
        for i in 0..x.len() - 1 {
            let (a, b) = (x[i], x[i + 1]);
            s += (a - b).cosh().ln();
        }
        s
    }
    kl_divergence(x) {
        let mut p_sum = 0.0;
        let mut q_sum = 0.0;
        for i in 0..3 {
            p_sum += x[i];
            q_sum += x[i + 3];
        }
        let mut kl = 0.0;
        for i in 0..3 {
            let p = x[i] / p_sum;
            let q = x[i + 3] / q_sum;
            kl += p * (p / q).ln();
        }
        kl
    }
    entropy(x) {
        let total = x.iter().sum::<f64>();
        let mut h = 0.0;
        for v in x.iter() {
            let p = v / total;
            h -= p * p.ln();
        }
        h
    }
    correlation(x) {
        let (mut sa, mut sb, mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for i in 0..3 {
            let (a, b) = (x[i], x[i + 3]);
            sa += a;
            sb += b;
            sab += a * b;
            saa += a * a;
            sbb += b * b;
        }
        let n = 3.0;
        (n * sab - sa * sb) / ((n * saa - sa * sa).sqrt() * (n * sbb - sb * sb).sqrt())
    }
    exponential_moving_average(x) {
        let alpha = 0.3;
        let mut ema = x[0];
        for i in 1..x.len() {
            ema = alpha * x[i] + (1.0 - alpha) * ema;
        }
        ema
    }
    logistic_regression_nll(x) {
        let w = [x[0], x[1]];
        let data = [[0.5, -1.0, 1.0], [1.5, 0.3, -1.0], [-0.7, 0.8, 1.0]];
        let mut nll = 0.0;
        for row in 0..3 {
            let z = w[0] * data[row][0] + w[1] * data[row][1] + x[2];
            nll += (-data[row][2] * z).exp().ln_1p();
        }
        nll
    }

    // ---- geometry ----
    euclidean_distance(x) {
        let mut d2 = 0.0;
        for i in 0..3 {
            d2 += (x[i] - x[i + 3]).powi(2);
        }
        d2.sqrt()
    }
    heron_area(x) {
        let (a, b, c) = (x[0] + 1.0, x[1] + 1.0, x[2] + 1.0);
        let s = 0.5 * (a + b + c);
        (s * (s - a) * (s - b) * (s - c)).sqrt()
    }
    shoelace_area(x) {
        // Triangle (x0, x1), (x2, x3), (x4, x5).
        let mut area = 0.0;
        for i in 0..3 {
            let j = (i + 1) % 3;
            area += x[2 * i] * x[2 * j + 1] - x[2 * j] * x[2 * i + 1];
        }
        0.5 * area
    }
    angle_between(x) {
        let (mut dot, mut na, mut nb) = (0.0, 0.0, 0.0);
        for i in 0..3 {
            dot += x[i] * x[i + 3];
            na += x[i] * x[i];
            nb += x[i + 3] * x[i + 3];
        }
        (dot / (na.sqrt() * nb.sqrt())).acos()
    }
    cosine_similarity(x) {
        let mut dot = 0.0;
        let mut na = 0.0;
        let mut nb = 0.0;
        for i in 0..3 {
            let (a, b) = (x[i], x[i + 3]);
            dot += a * b;
            na += a * a;
            nb += b * b;
        }
        dot / (na * nb).sqrt()
    }
    sphere_volume_and_area(x) {
        let r = x[0];
        4.0 / 3.0 * std::f64::consts::PI * r.powi(3) + 4.0 * std::f64::consts::PI * r * r
    }
    polar_to_cartesian_norm(x) {
        let (r, theta, phi) = (x[0], x[1], x[2]);
        let cx = r * theta.sin() * phi.cos();
        let cy = r * theta.sin() * phi.sin();
        let cz = r * theta.cos();
        cx.hypot(cy).hypot(cz) + cx.atan2(cy)
    }
    polyline_length(x) {
        let mut len = 0.0;
        for i in 0..2 {
            len += (x[2 * i + 2] - x[2 * i]).hypot(x[2 * i + 3] - x[2 * i + 1]);
        }
        len
    }
    curvature_of_parabola(x) {
        let (a, t) = (x[0], x[1]);
        let dy = 2.0 * a * t;
        (2.0 * a).abs() / (1.0 + dy * dy).powf(1.5)
    }

    // ---- finance ----
    compound_interest(x) {
        x[0] * (1.0 + x[1] / 12.0).powf(12.0 * x[2] * 10.0)
    }
    annuity_payment(x) {
        let (principal, rate, years) = (1000.0 * x[0], 0.1 * x[1], 10.0 * x[2]);
        principal * rate / (1.0 - (1.0 + rate).powf(-years))
    }
    black_scholes_logistic_approx(x) {
        // Normal CDF approximated by a logistic function (smooth, no erf).
        let (s, k, t, r, sigma) = (100.0 * x[0], 100.0 * x[1], x[2], 0.05 * x[3], 0.2 + x[4] * 0.1);
        let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * t.sqrt());
        let d2 = d1 - sigma * t.sqrt();
        let n1 = 1.0 / (1.0 + (-1.702 * d1).exp());
        let n2 = 1.0 / (1.0 + (-1.702 * d2).exp());
        s * n1 - k * (-r * t).exp() * n2
    }
    bond_price(x) {
        let mut price = 0.0;
        let y = 0.05 * x[0];
        for t in 1..=5 {
            price += 5.0 / (1.0 + y).powi(t);
        }
        price + 100.0 / (1.0 + y).powi(5)
    }

    // ---- numerical methods ----
    horner_polynomial(x) {
        let coeffs = [1.0, -2.0, 0.5, 3.0];
        let mut p = 0.0;
        for c in coeffs.iter() {
            p = p * x[0] + c;
        }
        p * x[1]
    }
    trapezoid_integral(x) {
        // Integral of exp(-a t^2) over [0, b].
        let (a, b) = (x[0], x[1] + 1.0);
        let n = 16;
        let h = b / n as f64;
        let mut s = 0.5 * (1.0 + (-a * b * b).exp());
        for i in 1..n {
            let t = i as f64 * h;
            s += (-a * t * t).exp();
        }
        s * h
    }
    simpson_integral(x) {
        let n = 10;
        let h = x[0] / n as f64;
        let mut s = 0.0;
        for i in 0..=n {
            let t = i as f64 * h;
            let w = if i == 0 || i == n { 1.0 } else if i % 2 == 1 { 4.0 } else { 2.0 };
            s += w * (x[1] * t).sin();
        }
        s * h / 3.0
    }
    newton_sqrt(x) {
        // A fixed number of Newton steps for sqrt(a): differentiable through the iterations.
        let a = x[0] + 1.0;
        let mut r = a;
        for _ in 0..6 {
            r = 0.5 * (r + a / r);
        }
        r
    }
    fixed_point_iteration(x) {
        let mut z = x[0];
        for _ in 0..30 {
            z = (x[1] * z).cos() * 0.5;
        }
        z
    }
    logistic_map(x) {
        let mut z = 0.3 * x[0];
        let rate = 2.5 + x[1];
        for _ in 0..10 {
            z = rate * z * (1.0 - z);
        }
        z
    }
    gauss_seidel_sweeps(x) {
        // Two sweeps on [[4, 1], [1, 3]] u = b.
        let (b0, b1) = (x[0], x[1]);
        let mut u0 = 0.0;
        let mut u1 = 0.0;
        let mut sweep = 0;
        while sweep < 2 {
            u0 = (b0 - u1) / 4.0;
            u1 = (b1 - u0) / 3.0;
            sweep += 1;
        }
        u0 * u0 + u1
    }
    finite_difference_laplacian(x) {
        let mut energy = 0.0;
        for i in 1..x.len() - 1 {
            let lap = x[i - 1] - 2.0 * x[i] + x[i + 1];
            energy += lap * lap;
        }
        energy
    }

    // ---- activations and test functions ----
    softplus_sum(x) {
        let mut s = 0.0;
        for v in x.iter() {
            s += v.exp().ln_1p();
        }
        s
    }
    smooth_max(x) {
        let beta = 4.0;
        let mut z = 0.0;
        for v in x.iter() {
            z += (beta * v).exp();
        }
        z.ln() / beta
    }
    gelu_sum(x) {
        let mut s = 0.0;
        for &v in x {
            s += 0.5 * v * (1.0 + (0.7978845608 * (v + 0.044715 * v * v * v)).tanh());
        }
        s
    }
    himmelblau(x) {
        (x[0] * x[0] + x[1] - 11.0).powi(2) + (x[0] + x[1] * x[1] - 7.0).powi(2)
    }
    beale(x) {
        let (a, b) = (x[0], x[1]);
        (1.5 - a + a * b).powi(2) + (2.25 - a + a * b * b).powi(2) + (2.625 - a + a * b.powi(3)).powi(2)
    }
    rastrigin(x) {
        let mut s = 10.0 * x.len() as f64;
        for v in x.iter() {
            s += v * v - 10.0 * (2.0 * std::f64::consts::PI * v).cos();
        }
        s
    }
    ackley(x) {
        let n = x.len() as f64;
        let mut ss = 0.0;
        let mut cs = 0.0;
        for v in x.iter() {
            ss += v * v;
            cs += (2.0 * std::f64::consts::PI * v).cos();
        }
        -20.0 * (-0.2 * (ss / n).sqrt()).exp() - (cs / n).exp() + 20.0 + std::f64::consts::E
    }
    rosenbrock_2d(x) {
        let (a, b) = (x[0], x[1]);
        (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
    }
    styblinski_tang(x) {
        let mut s = 0.0;
        for v in x.iter() {
            s += v.powi(4) - 16.0 * v.powi(2) + 5.0 * v;
        }
        0.5 * s
    }
}
