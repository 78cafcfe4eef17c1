//! `_hvp` printed as forward mode over the adjoint program (`emit::reverse::tangent`), for
//! functions of floats, slices and arrays (branches, loops, local arrays, sums, constants by
//! path): each `H v` checked against the analytic
//! Hessian, central differences of `_grad`, and the dual-number copy of `_grad` that `_hvp` was
//! before (still emitted, an independent path); `_hessian` (now one printed `_hvp` per column)
//! against the analytic Hessian; the value and gradient against `_grad`, and `_jvp` against the
//! gradient.

mod hvp_checks;

use hvp_checks::*;
use tapeless::__private::Dual;
use tapeless::differentiable;

/// `x² y + sin(x) eʸ - ln(y) / x`.
#[differentiable(hessian)]
fn mixed(x: f64, y: f64) -> f64 {
    let a = x * x * y;
    a + x.sin() * y.exp() - y.ln() / x
}

fn mixed_analytic(x: f64, y: f64) -> [[f64; 2]; 2] {
    let (s, c, e) = (x.sin(), x.cos(), y.exp());
    let xx = 2.0 * y - s * e - 2.0 * y.ln() / x.powi(3);
    let xy = 2.0 * x + c * e + 1.0 / (x * x * y);
    let yy = s * e + 1.0 / (x * y * y);
    [[xx, xy], [xy, yy]]
}

/// `p0 p1 / p2 + |(p0, p1)| + tanh(p2)`, read from a slice.
#[differentiable(hessian)]
fn ratio_and_radius(p: &[f64]) -> f64 {
    let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
    p[0] * p[1] / p[2] + r + p[2].tanh()
}

fn ratio_and_radius_analytic(p: &[f64]) -> [[f64; 3]; 3] {
    let (a, b, c) = (p[0], p[1], p[2]);
    let r3 = (a * a + b * b).sqrt().powi(3);
    let th = c.tanh();
    [
        [b * b / r3, 1.0 / c - a * b / r3, -b / (c * c)],
        [1.0 / c - a * b / r3, a * a / r3, -a / (c * c)],
        [-b / (c * c), -a / (c * c), 2.0 * a * b / c.powi(3) - 2.0 * th * (1.0 - th * th)],
    ]
}

/// A quadratic model `z = w0 + w1 t + w2 t²` of data `t` (not differentiated), fitted to 1, plus
/// `exp(w0 w2)`: an array parameter by value.
#[differentiable(hessian, wrt(w))]
fn model(w: [f64; 3], t: f64) -> f64 {
    let z = w[0] + w[1] * t + w[2] * t * t;
    0.5 * (z - 1.0).powi(2) + (w[0] * w[2]).exp()
}

fn model_analytic(w: [f64; 3], t: f64) -> [[f64; 3]; 3] {
    let c = [1.0, t, t * t];
    let e = (w[0] * w[2]).exp();
    let mut h = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            h[i][j] = c[i] * c[j];
        }
    }
    h[0][0] += w[2] * w[2] * e;
    h[2][2] += w[0] * w[0] * e;
    h[0][2] += e + w[0] * w[2] * e;
    h[2][0] += e + w[0] * w[2] * e;
    h
}

/// `atan2(x, y) + hypot(x, y)`: rules of two floats.
#[differentiable(hessian)]
fn angle_and_length(x: f64, y: f64) -> f64 {
    x.atan2(y) + x.hypot(y)
}

fn angle_and_length_analytic(x: f64, y: f64) -> [[f64; 2]; 2] {
    let r2 = x * x + y * y;
    let (r4, r3) = (r2 * r2, r2.sqrt().powi(3));
    let xx = -2.0 * x * y / r4 + y * y / r3;
    let xy = (x * x - y * y) / r4 - x * y / r3;
    let yy = 2.0 * x * y / r4 + x * x / r3;
    [[xx, xy], [xy, yy]]
}

#[test]
fn scalar_parameters() {
    for (x, y, v) in [(0.7, 1.3, [1.0, -0.5]), (-1.2, 0.4, [0.25, 2.0]), (2.5, 3.0, [0.0, 1.0])] {
        check_pair(
            "mixed",
            Pair {
                hvp: &mixed_hvp,
                grad: &mixed_grad,
                hessian: &mixed_hessian,
                jvp: &mixed_jvp,
                copy: &|a, b| __tapeless_mixed_grad_dual(a, b).1,
            },
            (x, y),
            v,
            mixed_analytic(x, y),
        );
        check_pair(
            "angle_and_length",
            Pair {
                hvp: &angle_and_length_hvp,
                grad: &angle_and_length_grad,
                hessian: &angle_and_length_hessian,
                jvp: &angle_and_length_jvp,
                copy: &|a, b| __tapeless_angle_and_length_grad_dual(a, b).1,
            },
            (x, y),
            v,
            angle_and_length_analytic(x, y),
        );
    }
}

#[test]
fn slice_parameter() {
    for (p, v) in [([0.6, -1.1, 1.7], [1.0, 0.5, -0.25]), ([2.0, 0.3, -0.8], [-1.0, 1.0, 2.0])] {
        let (value, g, hv) = ratio_and_radius_hvp(&p, v.to_vec());
        assert_eq!((value, g.clone()), ratio_and_radius_grad(&p));
        let (_, _, h) = ratio_and_radius_hessian(&p);
        let grad = |q: &[f64]| ratio_and_radius_grad(q).1;
        let lifted: Vec<Dual<f64>> = p.iter().zip(&v).map(|(a, d)| Dual::new(*a, *d)).collect();
        let copy: Vec<f64> = __tapeless_ratio_and_radius_grad_dual(&lifted).1.iter().map(|d| d.eps).collect();
        let analytic = rows(ratio_and_radius_analytic(&p));
        check("ratio_and_radius", &p, &v, &hv, &analytic, &copy, &matrix_rows(&h), &grad);
        check_jvp("ratio_and_radius", &g, &v, ratio_and_radius_jvp(&p, v.to_vec()).1);
        // Symmetry: <u, H v> = <v, H u>.
        let u = [0.3, -0.7, 1.1];
        let (_, _, hu) = ratio_and_radius_hvp(&p, u.to_vec());
        let (uhv, vhu): (f64, f64) =
            (u.iter().zip(&hv).map(|(a, b)| a * b).sum(), v.iter().zip(&hu).map(|(a, b)| a * b).sum());
        assert!((uhv - vhu).abs() <= 1e-10 * uhv.abs().max(1.0), "<u, H v> = {uhv}, <v, H u> = {vhu}");
    }
}

#[test]
fn array_parameter_with_data() {
    let (w, t, v) = ([0.2, -0.4, 0.9], 1.5, [1.0, 2.0, -0.5]);
    let (value, g, hv) = model_hvp(w, t, v);
    assert_eq!((value, g), model_grad(w, t));
    let (_, _, h) = model_hessian(w, t);
    let grad = |q: &[f64]| model_grad([q[0], q[1], q[2]], t).1.to_vec();
    let lifted: [Dual<f64>; 3] = std::array::from_fn(|i| Dual::new(w[i], v[i]));
    let copy: Vec<f64> =
        __tapeless_model_grad_dual(lifted, Dual::constant(t)).1.iter().map(|d| d.eps).collect();
    check("model", &w, &v, &hv, &rows(model_analytic(w, t)), &copy, &matrix_rows(&h), &grad);
    check_jvp("model", &g, &v, model_jvp(w, t, v).1);
}

/// `r²` of a piecewise `r`: `x³ y + sin(x³)` where `x > y`, else `x y² + eˣ`. The arms' values
/// the adjoint reads are saved in the branch's trace with their tangents.
#[differentiable(hessian)]
fn piecewise_square(x: f64, y: f64) -> f64 {
    let r = if tapeless::piecewise(x > y) {
        let c = x * x * x;
        c * y + c.sin()
    } else {
        let q = y * y;
        x * q + x.exp()
    };
    r * r
}

fn piecewise_square_analytic(x: f64, y: f64) -> [[f64; 2]; 2] {
    let (r, g, h) = if x > y {
        let c = x * x * x;
        let (r, rx, ry) = (c * y + c.sin(), 3.0 * x * x * (y + c.cos()), c);
        let rxx = 6.0 * x * y + 6.0 * x * c.cos() - 9.0 * x.powi(4) * c.sin();
        (r, [rx, ry], [[rxx, 3.0 * x * x], [3.0 * x * x, 0.0]])
    } else {
        let (r, rx, ry) = (x * y * y + x.exp(), y * y + x.exp(), 2.0 * x * y);
        (r, [rx, ry], [[x.exp(), 2.0 * y], [2.0 * y, 2.0 * x]])
    };
    square_hessian(r, g, h)
}

#[test]
fn branches_save_tangents_in_their_trace() {
    for (x, y, v) in [(1.2, 0.5, [1.0, -0.5]), (0.3, 0.9, [0.25, 2.0]), (-0.7, -0.2, [1.5, 0.5])] {
        check_pair(
            "piecewise_square",
            Pair {
                hvp: &piecewise_square_hvp,
                grad: &piecewise_square_grad,
                hessian: &piecewise_square_hessian,
                jvp: &piecewise_square_jvp,
                copy: &|a, b| __tapeless_piecewise_square_grad_dual(a, b).1,
            },
            (x, y),
            v,
            piecewise_square_analytic(x, y),
        );
    }
}

/// Rosenbrock's function: a loop whose backward iterations recompute the loads and sum the
/// adjoints of `x[i]` and `x[i + 1]` in registers carried between iterations.
#[differentiable(hessian)]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

fn rosenbrock_analytic(x: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    let mut h = vec![vec![0.0; n]; n];
    for i in 0..n - 1 {
        h[i][i] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
        h[i + 1][i + 1] += 200.0;
        h[i][i + 1] -= 400.0 * x[i];
        h[i + 1][i] -= 400.0 * x[i];
    }
    h
}

/// A logistic regression's negative log-likelihood: nested loops, the inner one's dot product
/// pushed on the outer loop's stack with its tangent.
/// With a ridge penalty `0.05 |w|²`.
#[differentiable(hessian, wrt(w))]
fn logistic(w: &[f64], x: &[f64], y: &[f64]) -> f64 {
    let mut loss = 0.0;
    for wk in w {
        loss += 0.05 * wk * wk;
    }
    for (i, label) in y.iter().enumerate() {
        let mut margin = 0.0;
        for k in 0..w.len() {
            margin += w[k] * x[i * w.len() + k];
        }
        loss += (-label * margin).exp().ln_1p();
    }
    loss
}

fn logistic_analytic(w: &[f64], x: &[f64], y: &[f64]) -> Vec<Vec<f64>> {
    let d = w.len();
    let mut h = vec![vec![0.0; d]; d];
    for (k, row) in h.iter_mut().enumerate() {
        row[k] = 0.1;
    }
    for i in 0..y.len() {
        let row = &x[i * d..(i + 1) * d];
        let z: f64 = row.iter().zip(w).map(|(a, b)| a * b).sum();
        let s = 1.0 / (1.0 + (y[i] * z).exp());
        for a in 0..d {
            for b in 0..d {
                h[a][b] += y[i] * y[i] * s * (1.0 - s) * row[a] * row[b];
            }
        }
    }
    h
}

/// A `while` loop of explicit steps `y <- y + h (a - y²)`, counted for the backward sweep,
/// each step's `y` pushed with its tangent.
#[differentiable(hessian)]
fn explicit_steps(a: f64, y0: f64) -> f64 {
    let (mut y, mut k) = (y0, 0);
    while k < 5 {
        y += 0.1 * (a - y * y);
        k += 1;
    }
    y * y
}

/// The Hessian of `explicit_steps` from its sensitivity recurrences, first and second order.
fn explicit_steps_analytic(a: f64, y0: f64) -> [[f64; 2]; 2] {
    let h = 0.1;
    let (mut y, mut g, mut s) = (y0, [0.0, 1.0], [[0.0; 2]; 2]);
    for _ in 0..5 {
        let mut next = [[0.0; 2]; 2];
        for i in 0..2 {
            for j in 0..2 {
                next[i][j] = s[i][j] - h * 2.0 * (g[i] * g[j] + y * s[i][j]);
            }
        }
        g = [g[0] + h * (1.0 - 2.0 * y * g[0]), g[1] - h * 2.0 * y * g[1]];
        s = next;
        y += h * (a - y * y);
    }
    square_hessian(y, g, s)
}

#[test]
fn loops_recompute_or_pop_their_tangents() {
    let x = [0.9, 1.1, 0.7, -0.3, 1.4];
    let v = [1.0, -0.5, 0.25, 2.0, -1.0];
    check_slice(
        "rosenbrock",
        Slice {
            hvp: &rosenbrock_hvp,
            grad: &rosenbrock_grad,
            hessian: &rosenbrock_hessian,
            jvp: &rosenbrock_jvp,
            copy: &|d| __tapeless_rosenbrock_grad_dual(d).1,
        },
        &x,
        &v,
        &rosenbrock_analytic(&x),
    );

    let (data, labels) = ([0.5, -1.0, 2.0, 1.5, 0.3, -0.7, -0.2, 0.8, 1.1], [1.0, -1.0, 1.0]);
    let (w, v) = ([0.4, -0.2, 0.9], [1.0, 0.5, -2.0]);
    let (value, g, hv) = logistic_hvp(&w, &data, &labels, v.to_vec());
    assert_eq!((value, g.clone()), logistic_grad(&w, &data, &labels));
    let (_, _, h) = logistic_hessian(&w, &data, &labels);
    let lifted: Vec<Dual<f64>> = w.iter().zip(&v).map(|(a, d)| Dual::new(*a, *d)).collect();
    let copy: Vec<f64> =
        __tapeless_logistic_grad_dual(&lifted, &data, &labels).1.iter().map(|d| d.eps).collect();
    let grad = |q: &[f64]| logistic_grad(q, &data, &labels).1;
    check("logistic", &w, &v, &hv, &logistic_analytic(&w, &data, &labels), &copy, &matrix_rows(&h), &grad);
    check_jvp("logistic", &g, &v, logistic_jvp(&w, &data, &labels, v.to_vec()).1);

    for (a, y0, v) in [(0.8, 0.3, [1.0, -0.5]), (-0.4, 1.2, [0.25, 2.0])] {
        check_pair(
            "explicit_steps",
            Pair {
                hvp: &explicit_steps_hvp,
                grad: &explicit_steps_grad,
                hessian: &explicit_steps_hessian,
                jvp: &explicit_steps_jvp,
                copy: &|a, b| __tapeless_explicit_steps_grad_dual(a, b).1,
            },
            (a, y0),
            v,
            explicit_steps_analytic(a, y0),
        );
    }
}

/// Rastrigin's function: `std::f64::consts::PI`, a float by its path, in each term.
#[differentiable(hessian)]
fn rastrigin(x: &[f64]) -> f64 {
    let mut s = 10.0 * x.len() as f64;
    for v in x {
        s += v * v - 10.0 * (2.0 * std::f64::consts::PI * v).cos();
    }
    s
}

/// `ln 2 (Σ x)²`: a constant by its path multiplying a differentiated value.
#[differentiable(hessian)]
fn scaled_square(x: &[f64]) -> f64 {
    let s: f64 = x.iter().sum();
    s * s * std::f64::consts::LN_2
}

#[test]
fn a_constant_by_path_is_a_float() {
    let (x, v) = ([0.3, -1.2, 0.05], [1.0, -0.5, 2.0]);
    let analytic = vec![vec![2.0 * std::f64::consts::LN_2; 3]; 3];
    check_slice(
        "scaled_square",
        Slice {
            hvp: &scaled_square_hvp,
            grad: &scaled_square_grad,
            hessian: &scaled_square_hessian,
            jvp: &scaled_square_jvp,
            copy: &|d| __tapeless_scaled_square_grad_dual(d).1,
        },
        &x,
        &v,
        &analytic,
    );
    let pi = std::f64::consts::PI;
    let analytic: Vec<Vec<f64>> = (0..3)
        .map(|i| {
            (0..3)
                .map(|j| if i == j { 2.0 + 40.0 * pi * pi * (2.0 * pi * x[i]).cos() } else { 0.0 })
                .collect()
        })
        .collect();
    check_slice(
        "rastrigin",
        Slice {
            hvp: &rastrigin_hvp,
            grad: &rastrigin_grad,
            hessian: &rastrigin_hessian,
            jvp: &rastrigin_jvp,
            copy: &|d| __tapeless_rastrigin_grad_dual(d).1,
        },
        &x,
        &v,
        &analytic,
    );
}

/// `sin(Σ x) + Σ x³`: a slice's sum (`iter().sum::<f64>()`, its adjoint added to every entry).
#[differentiable(hessian)]
fn sine_of_sum(x: &[f64]) -> f64 {
    let total = x.iter().sum::<f64>();
    let mut cubes = 0.0;
    for v in x {
        cubes += v * v * v;
    }
    total.sin() + cubes
}

#[test]
fn a_slices_sum_is_a_float() {
    let (x, v) = ([0.3, -1.2, 0.7, 0.1], [1.0, -0.5, 2.0, 0.25]);
    let s: f64 = x.iter().sum();
    let analytic: Vec<Vec<f64>> =
        (0..4).map(|i| (0..4).map(|j| -s.sin() + if i == j { 6.0 * x[i] } else { 0.0 }).collect()).collect();
    check_slice(
        "sine_of_sum",
        Slice {
            hvp: &sine_of_sum_hvp,
            grad: &sine_of_sum_grad,
            hessian: &sine_of_sum_hessian,
            jvp: &sine_of_sum_jvp,
            copy: &|d| __tapeless_sine_of_sum_grad_dual(d).1,
        },
        &x,
        &v,
        &analytic,
    );
}

/// Local arrays: one built from values, one written in place in a loop (each overwritten
/// element's adjoint moved out with `take`, its tangent too).
#[differentiable(hessian)]
fn local_arrays(x: &[f64]) -> f64 {
    let w = [x[0] * x[1], x[1].sin()];
    let mut acc = vec![0.0; x.len()];
    for i in 0..3 {
        acc[i] += w[i % 2] * x[2];
    }
    acc[0] * acc[1] + acc[2].exp()
}

/// `x0 x1 x2² sin(x1) + exp(x0 x1 x2)`, what `local_arrays` computes, differentiated by hand.
fn local_arrays_analytic(x: &[f64]) -> Vec<Vec<f64>> {
    let ([x0, x1, x2], s, c) = ([x[0], x[1], x[2]], x[1].sin(), x[1].cos());
    let g = [
        [0.0, x2 * x2 * (s + x1 * c), 2.0 * x1 * x2 * s],
        [x2 * x2 * (s + x1 * c), x0 * x2 * x2 * (2.0 * c - x1 * s), 2.0 * x0 * x2 * (s + x1 * c)],
        [2.0 * x1 * x2 * s, 2.0 * x0 * x2 * (s + x1 * c), 2.0 * x0 * x1 * s],
    ];
    let e = (x0 * x1 * x2).exp();
    let u = [x1 * x2, x0 * x2, x0 * x1];
    let uu = [[0.0, x2, x1], [x2, 0.0, x0], [x1, x0, 0.0]];
    (0..3).map(|i| (0..3).map(|j| g[i][j] + e * (u[i] * u[j] + uu[i][j])).collect()).collect()
}

#[test]
fn local_arrays_carry_their_tangents() {
    for (x, v) in [([0.4, -0.8, 0.6], [1.0, 0.5, -2.0]), ([-0.3, 0.9, 1.1], [0.25, -1.0, 0.5])] {
        check_slice(
            "local_arrays",
            Slice {
                hvp: &local_arrays_hvp,
                grad: &local_arrays_grad,
                hessian: &local_arrays_hessian,
                jvp: &local_arrays_jvp,
                copy: &|d| __tapeless_local_arrays_grad_dual(d).1,
            },
            &x,
            &v,
            &local_arrays_analytic(&x),
        );
    }
}

/// `Σ sin(xl xi)` for `i < l`, `l` the last index: `x[l]`, read at an index the loop does not
/// change, has its adjoint summed in a register added once after the backward loop (a hoisted
/// sum, with its tangent beside it).
#[differentiable(hessian)]
fn hoisted_read(x: &[f64]) -> f64 {
    let last = x.len() - 1;
    let mut s = 0.0;
    for i in 0..last {
        s += (x[last] * x[i]).sin();
    }
    s
}

fn hoisted_read_analytic(x: &[f64]) -> Vec<Vec<f64>> {
    let (n, l) = (x.len(), x.len() - 1);
    let mut h = vec![vec![0.0; n]; n];
    for i in 0..l {
        let (s, c) = ((x[l] * x[i]).sin(), (x[l] * x[i]).cos());
        h[l][l] -= x[i] * x[i] * s;
        h[l][i] = c - x[l] * x[i] * s;
        h[i][l] = h[l][i];
        h[i][i] = -x[l] * x[l] * s;
    }
    h
}

#[test]
fn a_hoisted_sum_carries_its_tangent() {
    let (x, v) = ([0.7, -0.4, 1.3, 0.2], [1.0, 0.5, -1.5, 2.0]);
    check_slice(
        "hoisted_read",
        Slice {
            hvp: &hoisted_read_hvp,
            grad: &hoisted_read_grad,
            hessian: &hoisted_read_hessian,
            jvp: &hoisted_read_jvp,
            copy: &|d| __tapeless_hoisted_read_grad_dual(d).1,
        },
        &x,
        &v,
        &hoisted_read_analytic(&x),
    );
}
