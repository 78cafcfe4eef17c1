//! Functions of the same module without the attribute, called on a differentiable value: written
//! out where they are called (their text read from the source), as a helper that takes a
//! closure is. Each is checked against its analytic gradient, against central differences, and
//! forward mode against reverse mode (`common::check`).

use tapeless::differentiable;

#[macro_use]
mod common;

use common::{check, close};

/// A helper and its caller in one module: the helper's body may read the module's private items
/// (`SHIFT`), which it can be written out beside. (A caller in another module gets the
/// no-derivative error instead: tests/ui/no_derivative/opaque_function.rs.)
mod stats {
    use tapeless::differentiable;

    const SHIFT: f64 = 0.0;

    fn logsumexp2(a: f64, b: f64) -> f64 {
        let m = a.max(b) + SHIFT;
        m + ((a - m).exp() + (b - m).exp()).ln()
    }

    #[differentiable]
    pub fn lse(x: &[f64]) -> f64 {
        logsumexp2(x[0], x[1]) + logsumexp2(1.0, 2.0)
    }
}

use stats::{lse, lse_grad, lse_jvp, lse_vjp};

#[test]
fn a_helper_of_the_same_module() {
    let points: [&[f64]; 3] = [&[0.3, -0.7], &[1.2, 1.2], &[-2.0, 3.5]];
    check(&slice_fns!(lse, lse_jvp, lse_vjp, lse_grad), &points, 1e-8);
    for x in points {
        // The softmax of the two.
        let (e0, e1) = (x[0].exp(), x[1].exp());
        let g = lse_grad(x).1;
        assert!(close(g[0], e0 / (e0 + e1), 1e-14) && close(g[1], e1 / (e0 + e1), 1e-14), "{g:?}");
    }
}

fn mean(w: &[f64]) -> f64 {
    w.iter().sum::<f64>() / w.len() as f64
}

/// Windows passed to a helper, in a chain and in a loop.
#[differentiable]
fn smoothed(x: &[f64]) -> f64 {
    let mut s = x.windows(3).map(mean).sum::<f64>();
    for w in x.windows(2) {
        s += mean(w) * mean(w);
    }
    s
}

#[test]
fn windows_passed_to_a_helper() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.1, 0.4], &[1.2, 0.4, 2.0], &[-2.0, 1.1, 0.5, 0.8, 0.1]];
    check(&slice_fns!(smoothed, smoothed_jvp, smoothed_vjp, smoothed_grad), &points, 1e-8);
    for x in points {
        let n = x.len();
        let mut want = vec![0.0; n];
        for k in 0..n - 2 {
            for w in &mut want[k..k + 3] {
                *w += 1.0 / 3.0;
            }
        }
        for k in 0..n - 1 {
            let m = (x[k] + x[k + 1]) / 2.0;
            want[k] += m;
            want[k + 1] += m;
        }
        let g = smoothed_grad(x).1;
        for i in 0..n {
            assert!(close(g[i], want[i], 1e-14), "{x:?}: d/dx{i} = {} vs {}", g[i], want[i]);
        }
    }
}

fn clamp_in_place(v: &mut f64) {
    *v = v.clamp(-1.0, 1.0);
}

fn double(v: &mut f64) {
    *v *= 2.0;
}

/// Helpers that write through `&mut`: an `iter_mut()` element and a local.
#[differentiable]
fn clamped(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    for o in v.iter_mut() {
        clamp_in_place(o);
    }
    let mut a = v.iter().map(|e| e * e).sum::<f64>();
    double(&mut a);
    a
}

#[test]
fn helpers_that_write_through_a_mutable_reference() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.6], &[1.2, 0.4], &[-2.0, 0.5, 0.8, -0.1]];
    check(&slice_fns!(clamped, clamped_jvp, clamped_vjp, clamped_grad), &points, 1e-8);
    for x in points {
        // 2 Σ clamp(x)²: 4 x inside [-1, 1], 0 outside.
        let g = clamped_grad(x).1;
        for (i, &xi) in x.iter().enumerate() {
            let want = if xi.abs() < 1.0 { 4.0 * xi } else { 0.0 };
            assert!(close(g[i], want, 1e-15), "{x:?}: d/dx{i} = {} vs {want}", g[i]);
        }
    }
}

fn halves(v: f64) -> [f64; 2] {
    [0.5 * v, 0.5 * v]
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// One example's cross-entropy; calls another helper.
fn logistic_term(w: &[f64], x: &[f64], y: f64) -> f64 {
    let z: f64 = w.iter().zip(x).map(|(a, b)| a * b).sum();
    let p = sigmoid(z);
    -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
}

/// A helper's array taken apart, and rows of a nested array passed to a helper that calls
/// another.
#[differentiable(wrt(w))]
fn logistic(w: &[f64], xs: &[Vec<f64>], ys: &[f64]) -> f64 {
    let [a, b] = halves(w[0]);
    let mut s = a * b;
    for (x, &y) in xs.iter().zip(ys) {
        s += logistic_term(w, x, y);
    }
    s / ys.len() as f64
}

#[test]
fn rows_passed_to_a_helper_that_calls_another() {
    let xs = vec![vec![1.0, 2.0, -0.5], vec![0.5, -1.0, 0.3], vec![-0.2, 0.1, 0.9]];
    let ys = [1.0, 0.0, 1.0];
    let points: [&[f64]; 3] = [&[0.1, 0.2, -0.3], &[-0.4, 0.05, 0.6], &[1.0, -1.0, 0.5]];
    check(&slice_fns_with!(logistic, logistic_jvp, logistic_vjp, logistic_grad; &xs, &ys), &points, 1e-8);
    for w in points {
        // w0² / 4 / n and Σ (σ(w·x) - y) x / n.
        let n = ys.len() as f64;
        let mut want = [0.0; 3];
        want[0] += 0.5 * w[0] / n;
        for (x, y) in xs.iter().zip(ys) {
            let p = sigmoid(w.iter().zip(x).map(|(a, b)| a * b).sum());
            for j in 0..3 {
                want[j] += (p - y) * x[j] / n;
            }
        }
        let g = logistic_grad(w, &xs, &ys).1;
        for j in 0..3 {
            assert!(close(g[j], want[j], 1e-13), "{w:?}: d/dw{j} = {} vs {}", g[j], want[j]);
        }
    }
}

fn ramp(v: f64) -> f64 {
    if v.is_nan() {
        return 0.0;
    }
    if tapeless::piecewise(v > 0.0) { v * v } else { 0.0 }
}

fn scaled<T: num_traits::Float>(v: T, k: T) -> T {
    v * k + T::one()
}

/// An early return and a `piecewise` in a helper, and a helper generic over its float.
#[differentiable]
fn ramped(x: &[f64]) -> f64 {
    x.iter().map(|&v| ramp(v) + scaled(v, 3.0)).sum()
}

#[test]
fn a_helper_with_a_return_and_a_generic_helper() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.6], &[1.2, 0.4], &[-2.0, 0.5, 0.8, -0.1]];
    check(&slice_fns!(ramped, ramped_jvp, ramped_vjp, ramped_grad), &points, 1e-8);
    for x in points {
        let g = ramped_grad(x).1;
        for (i, &xi) in x.iter().enumerate() {
            let want = if xi > 0.0 { 2.0 * xi } else { 0.0 } + 3.0;
            assert!(close(g[i], want, 1e-15), "{x:?}: d/dx{i} = {} vs {want}", g[i]);
        }
    }
}

/// A point type with operators of its own: `#[no_ops]` keeps the derive from writing `+`, `-`
/// and `f64 *` over them.
#[derive(Clone, Copy, Debug, PartialEq, tapeless::Differentiable)]
#[no_ops]
struct P2 {
    x: f64,
    y: f64,
}

impl std::ops::Sub for P2 {
    type Output = P2;
    fn sub(self, o: P2) -> P2 {
        P2 { x: self.x - o.x, y: self.y - o.y }
    }
}

impl std::ops::Mul<P2> for f64 {
    type Output = P2;
    fn mul(self, o: P2) -> P2 {
        P2 { x: self * o.x, y: self * o.y }
    }
}

fn dist(a: &P2, b: &P2) -> f64 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

/// Elements of a slice of structs passed by reference to a helper.
#[differentiable(wrt(pts))]
fn perimeter(pts: &[P2]) -> f64 {
    let mut s = 0.0;
    for i in 0..pts.len() {
        let j = (i + 1) % pts.len();
        s += dist(&pts[j], &pts[i]);
    }
    s
}

#[test]
fn struct_elements_borrowed_by_a_helper() {
    let shapes = [
        vec![P2 { x: 0.0, y: 0.0 }, P2 { x: 1.0, y: 0.0 }, P2 { x: 0.0, y: 1.0 }],
        vec![P2 { x: 0.3, y: -0.2 }, P2 { x: 1.5, y: 0.4 }, P2 { x: 0.9, y: 2.0 }, P2 { x: -0.5, y: 1.1 }],
        vec![P2 { x: -1.0, y: 0.5 }, P2 { x: 2.0, y: -0.7 }],
    ];
    for pts in &shapes {
        let n = pts.len();
        let (value, g) = perimeter_grad(pts);
        assert!(close(value, perimeter(pts), 1e-15));
        // ∂/∂p_k: the unit vectors from its two neighbours towards it.
        for k in 0..n {
            let mut want = P2 { x: 0.0, y: 0.0 };
            for other in [(k + 1) % n, (k + n - 1) % n] {
                let d = pts[k] - pts[other];
                let r = dist(&pts[k], &pts[other]);
                want = P2 { x: want.x + d.x / r, y: want.y + d.y / r };
            }
            assert!(
                close(g[k].x, want.x, 1e-14) && close(g[k].y, want.y, 1e-14),
                "{k}: {:?} vs {want:?}",
                g[k]
            );
        }
        // Forward against reverse along a direction.
        let dir: Vec<P2> = (0..n).map(|k| P2 { x: 0.3 - 0.1 * k as f64, y: 0.2 + 0.05 * k as f64 }).collect();
        let (_, t) = perimeter_jvp(pts, dir.clone());
        let dot: f64 = g.iter().zip(&dir).map(|(a, b)| a.x * b.x + a.y * b.y).sum();
        assert!(close(t, dot, 1e-13), "{t} vs {dot}");
        let (_, pullback) = perimeter_vjp(pts);
        let back = pullback(2.0);
        assert!(
            back.iter().zip(&g).all(|(a, b)| close(a.x, 2.0 * b.x, 1e-15) && close(a.y, 2.0 * b.y, 1e-15))
        );
    }
    // The type's own operators step it.
    let p = P2 { x: 1.0, y: 2.0 };
    assert_eq!(p - 0.5 * p, P2 { x: 0.5, y: 1.0 });
}

/// A problem's constants in a struct, its cost a method calling helper methods without the
/// attribute (as an optimizer's problem type is written).
struct Decay {
    t: Vec<f64>,
    y: Vec<f64>,
    a: f64,
}

impl Decay {
    fn model(&self, k: f64, t: f64) -> f64 {
        self.a * (-k * t).exp()
    }

    fn residual(&self, p: &[f64], i: usize) -> f64 {
        self.model(p[0], self.t[i]) + p[1] - self.y[i]
    }

    #[differentiable(wrt(p))]
    fn cost(&self, p: &[f64]) -> f64 {
        (0..self.t.len()).map(|i| self.residual(p, i).powi(2)).sum::<f64>() / 2.0
    }
}

#[test]
fn helper_methods_of_a_problem_struct() {
    let problem = Decay { t: vec![0.0, 0.5, 1.0, 2.0], y: vec![1.1, 0.7, 0.45, 0.2], a: 1.2 };
    let points: [&[f64]; 3] = [&[0.7, 0.01], &[1.3, -0.2], &[0.2, 0.4]];
    let fns = method_fns!(problem, cost, cost_jvp, cost_vjp, cost_grad);
    check(&fns, &points, 1e-8);
    for p in points {
        // ∂/∂k = Σ r_i (-a t_i e^(-k t_i)), ∂/∂c = Σ r_i.
        let mut want = [0.0; 2];
        for (t, y) in problem.t.iter().zip(&problem.y) {
            let e = problem.a * (-p[0] * t).exp();
            let r = e + p[1] - y;
            want[0] += r * (-t * e);
            want[1] += r;
        }
        let g = problem.cost_grad(p).1;
        assert!(close(g[0], want[0], 1e-14) && close(g[1], want[1], 1e-14), "{g:?} vs {want:?}");
    }
}

/// A model generic over its float, a helper method of the same block without the attribute.
struct Neuron<T> {
    w: Vec<T>,
    bias: T,
}

#[differentiable]
impl<T: num_traits::Float> Neuron<T> {
    fn activation(&self, z: T) -> T {
        (z + self.bias).tanh()
    }

    #[differentiable(wrt(x))]
    fn predict(&self, x: &[T]) -> T {
        let z = self.w.iter().zip(x).fold(T::zero(), |a, (&w, &v)| a + w * v);
        self.activation(z)
    }
}

#[test]
fn a_helper_method_of_a_generic_block() {
    let neuron = Neuron { w: vec![0.5, -0.25, 1.5], bias: 0.1 };
    let points: [&[f64]; 3] = [&[1.0, 2.0, -0.3], &[0.2, 0.1, 0.4], &[-1.0, 0.5, 0.25]];
    let fns = method_fns!(neuron, predict, predict_jvp, predict_vjp, predict_grad);
    check(&fns, &points, 1e-8);
    for x in points {
        let z: f64 = neuron.w.iter().zip(x).map(|(w, v)| w * v).sum::<f64>() + neuron.bias;
        let g = neuron.predict_grad(x).1;
        for (i, (gi, wi)) in g.iter().zip(&neuron.w).enumerate() {
            let want = wi * (1.0 - z.tanh().powi(2));
            assert!(close(*gi, want, 1e-14), "{x:?}: d/dx{i} = {gi} vs {want}");
        }
    }
}

/// Associated functions without the attribute, called by `Self::` and by the type's name: two
/// types each have an `sq` (the caller's own type tells which `Self::sq` is), and one helper
/// calls another.
struct Gaussian {
    sigma: f64,
}

impl Gaussian {
    fn sq(v: f64) -> f64 {
        v * v
    }

    fn exponent(v: f64, sigma: f64) -> f64 {
        -Self::sq(v) / (2.0 * sigma * sigma)
    }

    #[differentiable(wrt(x))]
    fn density(&self, x: &[f64]) -> f64 {
        let norm = 1.0 / (self.sigma * (2.0 * std::f64::consts::PI).sqrt());
        norm * Gaussian::exponent(x[0] - x[1], self.sigma).exp() + Self::sq(x[1])
    }
}

struct Spring {
    k: f64,
}

impl Spring {
    fn sq(v: f64) -> f64 {
        v * v * 1.0
    }

    #[differentiable(wrt(x))]
    fn energy(&self, x: &[f64]) -> f64 {
        0.5 * self.k * Self::sq(x[0] - x[1]) + Spring::sq(x[1]).sin()
    }
}

#[test]
fn associated_functions_called_by_self_and_by_their_type() {
    let points: [&[f64]; 3] = [&[0.3, -0.2], &[1.1, 0.4], &[-0.5, 0.25]];
    let g = Gaussian { sigma: 0.7 };
    check(&method_fns!(g, density, density_jvp, density_vjp, density_grad), &points, 1e-8);
    let s = Spring { k: 3.0 };
    check(&method_fns!(s, energy, energy_jvp, energy_vjp, energy_grad), &points, 1e-8);
    for x in points {
        let d = x[0] - x[1];
        let norm = 1.0 / (0.7 * (2.0 * std::f64::consts::PI).sqrt());
        let e = norm * (-d * d / (2.0 * 0.49)).exp();
        let want = [-d / 0.49 * e, d / 0.49 * e + 2.0 * x[1]];
        let got = g.density_grad(x).1;
        assert!(close(got[0], want[0], 1e-14) && close(got[1], want[1], 1e-14), "{got:?} vs {want:?}");
        let want = [3.0 * d, -3.0 * d + 2.0 * x[1] * (x[1] * x[1]).cos()];
        let got = s.energy_grad(x).1;
        assert!(close(got[0], want[0], 1e-14) && close(got[1], want[1], 1e-14), "{got:?} vs {want:?}");
    }
}

/// An integrator's state, without `#[derive(Differentiable)]`, advanced by a method without the
/// attribute that returns a new state. The state is read only by its fields, so it needs no
/// tangent type (it was rustc's "`State` is not a differentiable type" at the attribute).
#[derive(Clone, Copy)]
struct State {
    x: f64,
    v: f64,
}

impl State {
    fn step(&self, dt: f64, k: f64) -> State {
        State { x: self.x + dt * self.v, v: self.v - dt * k * self.x.sin() }
    }

    fn energy(&self) -> f64 {
        0.5 * self.v * self.v + self.x * self.x
    }
}

#[differentiable]
fn pendulum(p: &[f64]) -> f64 {
    let k = p[1];
    let mut s = State { x: p[0], v: 0.0 };
    for _ in 0..40 {
        s = s.step(0.02, k);
    }
    let last = s.step(0.01, k);
    last.x + s.energy()
}

/// Two steps, whose derivative is known: `x2 = x0 - h² k sin x0`.
#[differentiable]
fn two_steps(p: &[f64]) -> f64 {
    let s = State { x: p[0], v: 0.0 };
    let s = s.step(0.02, p[1]);
    s.step(0.02, p[1]).x
}

#[test]
fn a_method_returning_a_new_state() {
    let h2 = 0.02 * 0.02;
    for (x0, k) in [(0.5, 2.0), (1.2, 0.3), (-0.4, 5.0)] {
        let (value, g) = two_steps_grad(&[x0, k]);
        assert!(close(value, x0 - h2 * k * x0.sin(), 1e-15));
        let want = [1.0 - h2 * k * x0.cos(), -h2 * x0.sin()];
        assert!(close(g[0], want[0], 1e-14) && close(g[1], want[1], 1e-14), "{g:?} vs {want:?}");
    }
    check(
        &slice_fns!(two_steps, two_steps_jvp, two_steps_vjp, two_steps_grad),
        &[&[0.5, 2.0], &[1.2, 0.3], &[-0.4, 5.0]],
        1e-7,
    );
    check(
        &slice_fns!(pendulum, pendulum_jvp, pendulum_vjp, pendulum_grad),
        &[&[0.5, 2.0], &[1.2, 0.3], &[-0.4, 5.0]],
        1e-7,
    );
}
