//! `#[differentiable]` on `impl` blocks (issue 13): trait impls, whose methods cannot have
//! siblings inside the trait impl, and generic impls. The derivatives go into an inherent `impl`
//! beside the block. Also a method's own attribute in a generic `impl<T: Float>` block without
//! one: the block's bounds come from the prescan's reading of the file.

mod common;

use common::{Fns, check, close};
use num_traits::{Float, FromPrimitive};
use tapeless::differentiable;

/// The shape of argmin's `CostFunction`: associated types and a `Result`.
pub trait Cost {
    type Param;
    type Output;
    fn cost(&self, param: &Self::Param) -> Result<Self::Output, String>;
}

/// A least-squares fit of `y = a exp(b t)` to data held by the problem.
pub struct ExpFit {
    t: Vec<f64>,
    y: Vec<f64>,
}

#[differentiable]
impl Cost for ExpFit {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, param: &Self::Param) -> Result<Self::Output, String> {
        if param.len() != 2 {
            return Err(format!("expected 2 parameters, got {}", param.len()));
        }
        let (a, b) = (param[0], param[1]);
        let mut s = 0.0;
        for i in 0..self.t.len() {
            let r = a * (b * self.t[i]).exp() - self.y[i];
            s += r * r;
        }
        Ok(0.5 * s)
    }
}

/// A generic model: only the marked method is differentiated (`size` is not).
pub struct Weighted<T> {
    w: Vec<T>,
}

#[differentiable]
impl<T: Float + FromPrimitive> Weighted<T> {
    #[differentiable(wrt(x))]
    pub fn energy(&self, x: &[T], k: T) -> T {
        let half = T::from_f64(0.5).unwrap();
        let mut s = T::zero();
        for (i, &xi) in x.iter().enumerate() {
            s = s + self.w[i] * (k * xi).sin().powi(2);
        }
        half * s
    }

    pub fn size(&self) -> usize {
        self.w.len()
    }
}

#[test]
fn trait_impl_with_associated_types() {
    let problem = ExpFit { t: vec![0.0, 0.5, 1.0, 1.5], y: vec![1.1, 1.6, 2.8, 4.3] };
    let fns = Fns {
        name: "ExpFit::cost",
        f: &|p| problem.cost(&p.to_vec()).unwrap(),
        jvp: &|p, v| problem.cost_jvp(&p.to_vec(), v.to_vec()).unwrap(),
        vjp: &|p, ct| {
            let param = p.to_vec();
            let (value, pullback) = problem.cost_vjp(&param).unwrap();
            (value, pullback(ct))
        },
        grad: &|p| problem.cost_grad(&p.to_vec()).unwrap(),
    };
    check(&fns, &[&[1.0, 1.0], &[0.5, -0.3], &[2.0, 0.1]], 1e-8);
    // Analytic: ∂/∂a = Σ r e^{bt}, ∂/∂b = Σ r a t e^{bt}.
    let (a, b) = (1.0f64, 1.0f64);
    let (_, g) = problem.cost_grad(&vec![a, b]).unwrap();
    let (mut ga, mut gb) = (0.0, 0.0);
    for (t, y) in problem.t.iter().zip(&problem.y) {
        let r = a * (b * t).exp() - y;
        ga += r * (b * t).exp();
        gb += r * a * t * (b * t).exp();
    }
    assert!(close(g[0], ga, 1e-14) && close(g[1], gb, 1e-14), "{g:?}");
    assert_eq!(problem.cost_grad(&vec![1.0]).err().as_deref(), Some("expected 2 parameters, got 1"));
}

#[test]
fn generic_impl_at_both_precisions() {
    let model = Weighted { w: vec![1.0, 2.0, 0.5] };
    let k = 1.3;
    let fns = Fns {
        name: "Weighted::energy",
        f: &|x| model.energy(x, k),
        jvp: &|x, v| model.energy_jvp(x, k, v.to_vec()),
        vjp: &|x, ct| {
            let (value, pullback) = model.energy_vjp(x, k);
            (value, pullback(ct))
        },
        grad: &|x| model.energy_grad(x, k),
    };
    check(&fns, &[&[0.3, 1.2, -0.4], &[1.0, -0.5, 2.0], &[2.0, 3.0, -4.0]], 1e-8);
    // Analytic: ∂/∂x_i = w_i k sin(k x_i) cos(k x_i).
    let model32 = Weighted { w: vec![1.0f32, 2.0] };
    let x = [0.4f32, -0.9];
    let (_, g) = model32.energy_grad(&x, 2.0);
    for i in 0..2 {
        let want = model32.w[i] * 2.0 * (2.0 * x[i]).sin() * (2.0 * x[i]).cos();
        assert!((g[i] - want).abs() < 1e-6, "{g:?}");
    }
    assert_eq!(model32.size(), 2);
}

/// A generic model whose weights are a field, zipped by reference (`zip(&self.w)`).
struct ZippedModel<T> {
    w: Vec<T>,
    b: T,
}

#[differentiable]
impl<T: num_traits::Float + std::iter::Sum> ZippedModel<T> {
    #[differentiable]
    fn score(&self, x: &[T]) -> T {
        x.iter().zip(&self.w).map(|(a, w)| (*a * *w).tanh()).sum::<T>() + self.b
    }
}

#[test]
fn a_field_zipped_by_reference() {
    let m = ZippedModel { w: vec![1.0, -2.0, 0.5], b: 0.25 };
    for x in [[0.3, 0.1, -0.4], [1.0, -0.5, 2.0]] {
        let (value, g) = m.score_grad(&x);
        let want: f64 = x.iter().zip(&m.w).map(|(a, w)| (a * w).tanh()).sum::<f64>() + 0.25;
        assert!(common::close(value, want, 1e-15));
        for i in 0..3 {
            let d = m.w[i] * (1.0 - (x[i] * m.w[i]).tanh().powi(2));
            assert!(common::close(g[i], d, 1e-15), "d/dx{i}");
            let f = |p: &[f64]| m.score(p);
            assert!(common::close(g[i], common::central(&f, &x, i), 1e-9));
        }
        let t = vec![0.5, -1.0, 0.25];
        let (_, jv) = m.score_jvp(&x, t.clone());
        let (_, pullback) = m.score_vjp(&x);
        let back = pullback(1.0);
        let dot: f64 = back.iter().zip(&t).map(|(a, b)| a * b).sum();
        assert!(common::close(jv, dot, 1e-15));
    }
}

/// A model holding constant matrices and vectors, differentiated with respect to its input:
/// nalgebra methods of its fields (`self.w.dot(x)`, `self.m.transpose()`,
/// `self.v.component_mul(y)`) read them in place.
pub struct Frozen {
    pub m: nalgebra::DMatrix<f64>,
    pub w: nalgebra::DVector<f64>,
    pub a: nalgebra::Matrix2<f64>,
    pub v: nalgebra::Vector2<f64>,
}

#[differentiable]
impl Frozen {
    #[differentiable(wrt(x))]
    pub fn dynamic(&self, x: &nalgebra::DVector<f64>) -> f64 {
        (self.m.transpose() * x).norm_squared() + self.w.dot(x).tanh() + x.dot(&self.w) * self.w.sum()
    }
    #[differentiable(wrt(y))]
    pub fn fixed(&self, y: &nalgebra::Vector2<f64>) -> f64 {
        (self.a.transpose() * y).norm() + self.v.component_mul(y).sum()
    }
}

#[test]
fn constant_matrix_fields_read_in_place() {
    use nalgebra::{DMatrix, DVector, Matrix2, Vector2};
    let f = Frozen {
        m: DMatrix::from_row_slice(3, 2, &[1.0, 0.2, 0.3, 1.1, 0.0, 0.5]),
        w: DVector::from_vec(vec![0.2, 0.1, -0.3]),
        a: Matrix2::new(1.0, 0.5, -0.3, 2.0),
        v: Vector2::new(0.7, -0.4),
    };
    for k in 0..3 {
        let d = common::direction(3, 50 + k);
        let x = DVector::from_vec(d.clone());
        let (_, g) = f.dynamic_grad(&x);
        // d/dx: 2 M Mᵀ x + (1 - tanh²(w·x)) w + sum(w) w.
        let t = f.w.dot(&x).tanh();
        let exact = 2.0 * &f.m * (f.m.transpose() * &x) + &f.w * (1.0 - t * t) + &f.w * f.w.sum();
        assert!((&g - &exact).norm() < 1e-13, "{g} vs {exact}");
        common::gradient_central(
            "dynamic",
            &|p| f.dynamic(&DVector::from_column_slice(p)),
            &d,
            g.as_slice(),
            1e-8,
        );
        let v = DVector::from_vec(common::direction(3, 9));
        let (_, tangent) = f.dynamic_jvp(&x, v.clone());
        let (_, pullback) = f.dynamic_vjp(&x);
        common::forward_against_reverse(
            "dynamic",
            tangent,
            v.as_slice(),
            0.7,
            pullback(0.7).as_slice(),
            1e-12,
        );

        let y = Vector2::new(d[0], d[1]);
        let (_, g) = f.fixed_grad(&y);
        let z = f.a.transpose() * y;
        let exact = f.a * z / z.norm() + f.v;
        assert!((g - exact).norm() < 1e-13, "{g} vs {exact}");
        common::gradient_central(
            "fixed",
            &|p| f.fixed(&Vector2::new(p[0], p[1])),
            &[y.x, y.y],
            g.as_slice(),
            1e-8,
        );
        let (_, tangent) = f.fixed_jvp(&y, Vector2::new(0.3, -0.8));
        let (_, pullback) = f.fixed_vjp(&y);
        common::forward_against_reverse("fixed", tangent, &[0.3, -0.8], 1.1, pullback(1.1).as_slice(), 1e-12);
        assert!(close(f.fixed_grad(&y).0, f.fixed(&y), 1e-15));
    }
}

/// A generic problem whose methods carry the attribute, the block none.
pub struct Problem<T> {
    pub data: Vec<T>,
}

impl<T: Float + std::iter::Sum> Problem<T> {
    /// `Σ_i (p[i mod n] - d_i)²`.
    #[differentiable]
    pub fn cost(&self, p: &[T]) -> T {
        let mut s = T::zero();
        for (i, &d) in self.data.iter().enumerate() {
            s = s + (p[i % p.len()] - d).powi(2);
        }
        s
    }

    /// `tanh(Σ d_i x_i)`, with the parameters listed.
    #[differentiable(wrt(x))]
    pub fn predict(&self, x: &[T]) -> T {
        self.data.iter().zip(x).map(|(&w, &xi)| w * xi).sum::<T>().tanh()
    }
}

#[test]
fn methods_with_their_own_attribute_in_a_generic_block() {
    let problem = Problem { data: vec![0.5, -1.0, 2.0, 0.25] };
    let points: [&[f64]; 3] = [&[0.1, 0.2], &[1.0, -0.5], &[-0.3, 0.8]];
    let cost = |x: &[f64]| problem.cost(x);
    let fns = Fns {
        name: "Problem::cost",
        f: &cost,
        jvp: &|x, t| problem.cost_jvp(x, t.to_vec()),
        vjp: &|x, u| {
            let (v, pullback) = problem.cost_vjp(x);
            (v, pullback(u))
        },
        grad: &|x| problem.cost_grad(x),
    };
    check(&fns, &points, 1e-8);
    for p in points {
        let (_, g) = problem.cost_grad(p);
        let mut want = [0.0; 2];
        for (i, d) in problem.data.iter().enumerate() {
            want[i % 2] += 2.0 * (p[i % 2] - d);
        }
        assert!(close(g[0], want[0], 1e-14) && close(g[1], want[1], 1e-14), "{g:?} vs {want:?}");
    }
    // f32 as well.
    let small = Problem { data: vec![0.5f32, -1.0, 2.0, 0.25] };
    let (_, g) = small.predict_grad(&[0.1, 0.2, 0.3, 0.4]);
    let z: f32 = 0.05 - 0.2 + 0.6 + 0.1;
    let sech2 = 1.0 - z.tanh().powi(2);
    for (gi, d) in g.iter().zip(&small.data) {
        assert!((gi - d * sech2).abs() < 1e-6, "{gi} vs {}", d * sech2);
    }
    let x = [0.1, 0.2, 0.3, 0.4];
    let (_, g) = problem.predict_grad(&x);
    common::gradient_central("predict", &|p: &[f64]| problem.predict(p), &x, &g, 1e-8);
    let (_, t) = problem.predict_jvp(&[0.1, 0.2, 0.3, 0.4], vec![1.0, 0.0, -1.0, 0.5]);
    let (_, pullback) = problem.predict_vjp(&[0.1, 0.2, 0.3, 0.4]);
    common::forward_against_reverse("predict", t, &[1.0, 0.0, -1.0, 0.5], 0.7, &pullback(0.7), 1e-13);
}

/// A method of a block with the attribute, called only through its generated items: no
/// `dead_code` warning (denied here), as for a function with the attribute.
#[deny(dead_code)]
/// Associated functions of generic blocks taking an array by reference: the `_vjp`'s precise
/// capture `use<'__tapeless>` left out the block's `T` (rustc's "`impl Trait` must mention all
/// type parameters" until the forty-seventh session). With the block's attribute the block's
/// parameters are listed; with only the function's own, the pullback is bound by the shared
/// lifetime instead.
pub struct Scaled<T> {
    pub unused: T,
}

#[differentiable]
impl<T: Float> Scaled<T> {
    /// `x₀ x₁ + sin x₀`.
    pub fn product(x: &[T; 2]) -> T {
        x[0] * x[1] + x[0].sin()
    }
}

impl<T: Float> Scaled<T> {
    /// `x₀² x₁`.
    #[differentiable]
    pub fn squared(x: &[T; 2]) -> T {
        x[0] * x[0] * x[1]
    }
}

/// The [`Fns`] of a function of `x: &[f64; 2]` and its generated items.
macro_rules! fns_of_a_pair {
    ($f:path, $jvp:path, $vjp:path, $grad:path) => {
        Fns {
            name: stringify!($f),
            f: &|x| $f(&[x[0], x[1]]),
            jvp: &|x, v| $jvp(&[x[0], x[1]], [v[0], v[1]]),
            vjp: &|x, ct| {
                let (value, pullback) = $vjp(&[x[0], x[1]]);
                (value, pullback(ct).to_vec())
            },
            grad: &|x| {
                let (value, g) = $grad(&[x[0], x[1]]);
                (value, g.to_vec())
            },
        }
    };
}

#[test]
fn associated_functions_of_generic_blocks_taking_arrays() {
    let pair = |x: &[f64]| [x[0], x[1]];
    let points: [&[f64]; 3] = [&[0.3, 1.2], &[1.0, -0.5], &[-2.0, 3.0]];
    let product = fns_of_a_pair!(
        Scaled::<f64>::product,
        Scaled::<f64>::product_jvp,
        Scaled::<f64>::product_vjp,
        Scaled::<f64>::product_grad
    );
    check(&product, &points, 1e-8);
    let squared = fns_of_a_pair!(
        Scaled::<f64>::squared,
        Scaled::<f64>::squared_jvp,
        Scaled::<f64>::squared_vjp,
        Scaled::<f64>::squared_grad
    );
    check(&squared, &points, 1e-8);
    for x in points {
        let g = Scaled::<f64>::product_grad(&pair(x)).1;
        assert!(close(g[0], x[1] + x[0].cos(), 1e-15) && close(g[1], x[0], 1e-15), "product at {x:?}");
        let g = Scaled::<f64>::squared_grad(&pair(x)).1;
        assert!(close(g[0], 2.0 * x[0] * x[1], 1e-15) && close(g[1], x[0] * x[0], 1e-15), "squared at {x:?}");
    }
}

mod called_only_through_grad {
    pub struct Quad {
        pub h: Vec<f64>,
    }

    #[tapeless::differentiable]
    impl Quad {
        fn energy(&self, x: &[f64]) -> f64 {
            x.iter().zip(&self.h).map(|(xi, hi)| 0.5 * hi * xi * xi).sum()
        }
    }

    pub fn value_gradient_and_slope(q: &Quad, x: &[f64], v: &[f64]) -> (f64, Vec<f64>, f64) {
        let (value, gradient) = q.energy_grad(x);
        (value, gradient, q.energy_jvp(x, v.to_vec()).1)
    }
}

#[test]
fn a_method_called_only_through_its_gradient_is_not_dead_code() {
    let q = called_only_through_grad::Quad { h: vec![1.0, 2.0, 3.0] };
    let (x, v) = ([1.0, -1.0, 2.0], [0.5, 0.25, -1.0]);
    let (value, gradient, slope) = called_only_through_grad::value_gradient_and_slope(&q, &x, &v);
    assert_eq!(value, 0.5 + 1.0 + 6.0);
    // ∂/∂xᵢ ½ hᵢ xᵢ² = hᵢ xᵢ.
    assert_eq!(gradient, vec![1.0, -2.0, 6.0]);
    let energy = |x: &[f64]| x.iter().zip(&q.h).map(|(xi, hi)| 0.5 * hi * xi * xi).sum::<f64>();
    common::assert_close(&gradient, &common::central_gradient(energy, &x), 1e-8, "central differences");
    // Forward against reverse: <∇E, v> by the JVP.
    let reverse: f64 = gradient.iter().zip(&v).map(|(g, vi)| g * vi).sum();
    assert!(close(slope, reverse, 1e-14), "{slope} vs {reverse}");
}

/// A spring and a pendulum, each with an `energy` method: the pendulum's lists `wrt(theta)`,
/// which records it (with its marker method) for calls of `energy` elsewhere; the spring's
/// block has no `wrt(..)`. `self.energy(x)` in the spring's `force` is the spring's own, not
/// the record: it named the pendulum's marker, rustc's "no method named
/// `__tapeless_wrt_energy_0_1` found for `&Spring`" (found in the thirty-first session).
pub struct Pendulum {
    pub length: f64,
}

#[differentiable]
impl Pendulum {
    #[differentiable(wrt(theta))]
    pub fn energy(&self, theta: f64) -> f64 {
        self.length * (1.0 - theta.cos())
    }
}

pub struct Spring {
    pub k: f64,
}

#[differentiable]
impl Spring {
    pub fn energy(&self, x: f64) -> f64 {
        0.5 * self.k * x * x
    }
    pub fn work(&self, x: f64) -> f64 {
        self.energy(x) * x.sin()
    }
}

/// Both `energy` methods called from a function: the calls rely on the pendulum's record, and
/// the spring's method, which differentiates the same (`x`, not `self`), has the marker too.
#[differentiable(wrt(x))]
fn total_energy(s: &Spring, p: &Pendulum, x: f64) -> f64 {
    s.energy(x) + p.energy(x)
}

#[test]
fn a_method_named_like_another_types_recorded_method() {
    let (s, p) = (Spring { k: 3.0 }, Pendulum { length: 2.0 });
    for x in [0.4, -1.3] {
        // work = k x² sin(x) / 2, d/dx = k x sin(x) + k x² cos(x) / 2.
        let (value, g) = s.work_grad(x);
        assert!(close(value, 1.5 * x * x * x.sin(), 1e-15));
        let exact = 3.0 * x * x.sin() + 1.5 * x * x * x.cos();
        assert!(close(g, exact, 1e-14), "{g} vs {exact}");
        assert!(close(g, common::central(&|q: &[f64]| s.work(q[0]), &[x], 0), 1e-9));
        let (_, jv) = s.work_jvp(x, 0.5);
        let (_, pullback) = s.work_vjp(x);
        assert!(close(jv, 0.5 * pullback(1.0), 1e-15), "JVP against VJP");
        // The pendulum's own record still serves its callers.
        let (_, gp) = p.energy_grad(x);
        assert!(close(gp, 2.0 * x.sin(), 1e-15));
        assert!(close(gp, common::central(&|q: &[f64]| p.energy(q[0]), &[x], 0), 1e-9));
        assert!(close(p.energy_jvp(x, 0.5).1, 0.5 * p.energy_vjp(x).1(1.0), 1e-15), "JVP against VJP");
        let (value, g) = total_energy_grad(&s, &p, x);
        assert!(close(value, 1.5 * x * x + 2.0 * (1.0 - x.cos()), 1e-15));
        assert!(close(g, 3.0 * x + 2.0 * x.sin(), 1e-14));
        assert!(close(g, common::central(&|q: &[f64]| total_energy(&s, &p, q[0]), &[x], 0), 1e-9));
        let (_, jv) = total_energy_jvp(&s, &p, x, 0.5);
        assert!(close(jv, 0.5 * total_energy_vjp(&s, &p, x).1(1.0), 1e-15), "JVP against VJP");
    }
}

/// Two types whose `value` methods differentiate different parameters: the name alone cannot
/// tell a call which (the registry's entry for `value` is ambiguous, and the usual slots are
/// `B`'s, so `a.value(x, y)` was rustc's E0061 and E0308 inside the expansion). The receivers'
/// types, which the signature states, pick each its own record.
pub struct ScaleA {
    pub c: f64,
}

#[differentiable]
impl ScaleA {
    #[differentiable(wrt(x))]
    pub fn value(&self, x: f64, y: f64) -> f64 {
        self.c * x * y.sin()
    }
}

pub struct ScaleB {
    pub c: f64,
}

#[differentiable]
impl ScaleB {
    #[differentiable(wrt(x, y))]
    pub fn value(&self, x: f64, y: f64) -> f64 {
        self.c * (x * x + y)
    }
}

#[differentiable(wrt(x))]
fn both_values(a: &ScaleA, b: &ScaleB, x: f64, y: f64) -> f64 {
    a.value(x, y) + b.value(x, y)
}

/// The same with receivers built in the body, whose struct literals state their types.
#[differentiable(wrt(x))]
fn both_values_built(x: f64, y: f64) -> f64 {
    let a = ScaleA { c: 2.0 };
    let b = ScaleB { c: 3.0 };
    a.value(x, y) + b.value(x, y)
}

/// The same over a collection of one of the types: its elements, by `iter()`, by `for .. in`
/// and by index (`items[i].value(..)` moved the element out of the `Vec`, rustc's E0507 inside
/// the expansion, before it was kept as `&items[i]`).
#[allow(clippy::needless_range_loop)]
#[differentiable(wrt(x))]
fn values_of_elements(items: &Vec<ScaleA>, b: &ScaleB, x: f64, y: f64) -> f64 {
    let mut s = b.value(x, y);
    for a in items {
        s += a.value(x, y);
    }
    for i in 0..items.len() {
        s += items[i].value(x, y);
    }
    s + items.iter().map(|a| a.value(x, y)).sum::<f64>()
}

#[test]
fn methods_of_one_name_with_different_wrt_are_told_apart_by_the_receivers_type() {
    let (a, b) = (ScaleA { c: 2.0 }, ScaleB { c: 3.0 });
    for (x, y) in [(0.5, 1.5), (-1.2, 0.3)] {
        let (value, g) = both_values_grad(&a, &b, x, y);
        assert!(close(value, 2.0 * x * y.sin() + 3.0 * (x * x + y), 1e-15));
        // `a.value` passes one slot (`x`), `b.value` two (`x`, `y`; `y` a constant here).
        assert!(close(g, 2.0 * y.sin() + 6.0 * x, 1e-14), "d/dx {g}");
        assert!(close(g, common::central(&|q: &[f64]| both_values(&a, &b, q[0], y), &[x], 0), 1e-9));
        let (_, t) = both_values_jvp(&a, &b, x, y, 0.5);
        assert!(close(t, 0.5 * g, 1e-14), "JVP against the gradient");
        let u = both_values_vjp(&a, &b, x, y).1(2.0);
        assert!(close(u, 2.0 * g, 1e-14), "VJP against the gradient");
        let items = vec![ScaleA { c: 2.0 }, ScaleA { c: -0.5 }];
        let (many, gm) = values_of_elements_grad(&items, &b, x, y);
        // Three passes over Σ c = 1.5: 4.5 x sin(y), plus b's 3 (x² + y).
        assert!(close(many, 4.5 * x * y.sin() + 3.0 * (x * x + y), 1e-14));
        assert!(close(gm, 4.5 * y.sin() + 6.0 * x, 1e-14), "elements: d/dx {gm}");
        let fm = |q: &[f64]| values_of_elements(&items, &b, q[0], y);
        assert!(close(gm, common::central(&fm, &[x], 0), 1e-9));
        let (_, tm) = values_of_elements_jvp(&items, &b, x, y, 0.5);
        assert!(close(tm, 0.5 * values_of_elements_vjp(&items, &b, x, y).1(1.0), 1e-14));
        let (built, gb) = both_values_built_grad(x, y);
        assert!(close(built, value, 1e-15) && close(gb, g, 1e-15), "receivers built in the body");
        assert!(close(both_values_built_jvp(x, y, 0.5).1, 0.5 * g, 1e-14));
    }
}

/// A block whose attribute covers methods with nothing to differentiate (a count, a test, a
/// setter): they are kept as written and the float method calling them differentiates.
pub struct Weights {
    pub w: Vec<f64>,
}

#[differentiable(wrt(x))]
impl Weights {
    pub fn count(&self) -> usize {
        self.w.len()
    }

    pub fn positive(&self, x: f64) -> bool {
        x > 0.0
    }

    pub fn scale(&mut self, k: f64) {
        self.w.iter_mut().for_each(|w| *w *= k);
    }

    pub fn energy(&self, x: f64) -> f64 {
        let n = self.count() as f64;
        self.w.iter().map(|w| w * x * x).sum::<f64>() / n
    }
}

#[test]
fn methods_with_nothing_to_differentiate_are_passed_over() {
    let mut weights = Weights { w: vec![1.0, 2.0, 3.0] };
    weights.scale(2.0);
    assert!(weights.positive(1.0));
    for x in [0.3, -1.2, 2.0] {
        let (value, g) = weights.energy_grad(x);
        // mean(w) x², mean(w) = 4.
        assert!(close(value, 4.0 * x * x, 1e-14) && close(g, 8.0 * x, 1e-14), "{value} {g}");
        let (_, t) = weights.energy_jvp(x, 0.7);
        let back = weights.energy_vjp(x).1(1.3);
        assert!(close(1.3 * t, back * 0.7, 1e-14), "<u, J v> = {} vs <Jᵀu, v> = {}", 1.3 * t, back * 0.7);
        let fd = common::central(&|q: &[f64]| weights.energy(q[0]), &[x], 0);
        assert!(close(g, fd, 1e-8), "{g} vs {fd}");
    }
}

/// A damped spring `x'' = -k x - c x'`, stepped by explicit Euler through a helper method.
#[derive(Clone, Debug, tapeless::Differentiable)]
pub struct DampedSpring {
    pub k: f64,
    pub c: f64,
}

/// The block's `wrt(..)` names the parameters of both methods: each differentiates its own
/// (`self, x, v` for `force`, `self, x0` for `position_after`). Until the fiftieth session every
/// method took the whole list, so a name of one method was `wrt-unknown` on the other.
#[differentiable(wrt(self, x0, x, v))]
impl DampedSpring {
    fn force(&self, x: f64, v: f64) -> f64 {
        -self.k * x - self.c * v
    }

    pub fn position_after(&self, x0: f64) -> f64 {
        let (mut x, mut v) = (x0, 0.0);
        for _ in 0..30 {
            let a = self.force(x, v);
            (x, v) = (x + 0.05 * v, v + 0.05 * a);
        }
        x
    }
}

/// [`DampedSpring::position_after`] and its gradient in `(k, c, x0)` by the sensitivity recurrences of
/// the linear step `s' = A s`, `A = [[1, h], [-h k, 1 - h c]]`: `S' = A S + A_p s`.
fn damped_spring_hand(p: &[f64]) -> (f64, [f64; 3]) {
    let (k, c, h) = (p[0], p[1], 0.05);
    let step = |s: [f64; 2]| [s[0] + h * s[1], s[1] + h * (-k * s[0] - c * s[1])];
    let (mut s, mut d) = ([p[2], 0.0], [[0.0, 0.0, 1.0], [0.0; 3]]);
    for _ in 0..30 {
        let mut next = [[0.0; 3]; 2];
        for j in 0..3 {
            let col = step([d[0][j], d[1][j]]);
            next[0][j] = col[0];
            next[1][j] = col[1] + [-h * s[0], -h * s[1], 0.0][j];
        }
        (s, d) = (step(s), next);
    }
    (s[0], d[0])
}

#[test]
fn a_block_wrt_naming_the_parameters_of_several_methods() {
    let spring = |p: &[f64]| DampedSpring { k: p[0], c: p[1] };
    let fns = Fns {
        name: "position_after",
        f: &|p| spring(p).position_after(p[2]),
        jvp: &|p, t| spring(p).position_after_jvp(p[2], DampedSpring { k: t[0], c: t[1] }, t[2]),
        vjp: &|p, u| {
            let s = spring(p);
            let (value, pullback) = s.position_after_vjp(p[2]);
            let (s, x0) = pullback(u);
            (value, vec![s.k, s.c, x0])
        },
        grad: &|p| {
            let (value, (s, x0)) = spring(p).position_after_grad(p[2]);
            (value, vec![s.k, s.c, x0])
        },
    };
    let points: [&[f64]; 3] = [&[2.0, 0.1, 1.0], &[0.5, 0.4, -0.3], &[4.0, 0.0, 2.0]];
    check(&fns, &points, 1e-7);
    for p in points {
        let (value, want) = damped_spring_hand(p);
        let (v, g) = (fns.grad)(p);
        assert!(close(v, value, 1e-14), "{v} vs {value}");
        for (a, b) in g.iter().zip(want) {
            assert!(close(*a, b, 1e-12), "{g:?} vs {want:?}");
        }
    }
}

/// A state stepped by a method returning `Self`, and a tuple struct built by `Self(..)`.
#[derive(Clone, Copy, Debug, tapeless::Differentiable)]
pub struct Oscillator {
    pub x: f64,
    pub v: f64,
}

#[derive(Clone, Copy, Debug, tapeless::Differentiable)]
pub struct Swapped(pub f64, pub f64);

#[differentiable(wrt(self))]
impl Oscillator {
    pub fn step(&self, dt: f64) -> Self {
        Self { x: self.x + dt * self.v, v: self.v - dt * self.x }
    }

    /// The result by the type's name rather than `Self`.
    pub fn damped(&self, c: f64) -> Oscillator {
        Oscillator { x: self.x, v: self.v * c }
    }
}

#[differentiable(wrt(self))]
impl Swapped {
    pub fn swap(&self) -> Self {
        Self(self.1, self.0 * 2.0)
    }
}

/// `x₂ q.0 + q.1` after two steps, chained and through a local (`s.step(h).step(h)` and `let s1
/// = s.step(h); s1.step(h)`: a method's result of type `Self` composes in turn; it was "no
/// derivative is known for method `step`" until the fiftieth session), with `q = p.swap()` (`Self(..)`
/// was a call of a differentiable `Self`, rustc's error inside generated code).
#[differentiable]
fn stepped_twice(s: Oscillator, p: Swapped) -> f64 {
    let chained = s.step(0.1).step(0.1);
    let s1 = s.step(0.1);
    let s2 = s1.step(0.1);
    let q = p.swap();
    let d = s.damped(0.5).step(0.1);
    chained.x * q.0 + q.1 + s2.v + d.x
}

#[test]
fn methods_returning_self_compose() {
    let fns = Fns {
        name: "stepped_twice",
        f: &|q| stepped_twice(Oscillator { x: q[0], v: q[1] }, Swapped(q[2], q[3])),
        jvp: &|q, t| {
            stepped_twice_jvp(
                Oscillator { x: q[0], v: q[1] },
                Swapped(q[2], q[3]),
                Oscillator { x: t[0], v: t[1] },
                Swapped(t[2], t[3]),
            )
        },
        vjp: &|q, ct| {
            let (value, pullback) = stepped_twice_vjp(Oscillator { x: q[0], v: q[1] }, Swapped(q[2], q[3]));
            let (s, p) = pullback(ct);
            (value, vec![s.x, s.v, p.0, p.1])
        },
        grad: &|q| {
            let (value, (s, p)) = stepped_twice_grad(Oscillator { x: q[0], v: q[1] }, Swapped(q[2], q[3]));
            (value, vec![s.x, s.v, p.0, p.1])
        },
    };
    let points: [&[f64]; 3] = [&[1.0, 0.5, 2.0, 3.0], &[-0.4, 1.5, 0.2, -1.0], &[0.0, 1.0, -1.2, 0.5]];
    check(&fns, &points, 1e-8);
    for q in points {
        // Two steps of h = 0.1: x₂ = 0.99 x + 0.2 v, v₂ = -0.2 x + 0.99 v; q = (p.1, 2 p.0);
        // damped then stepped: d.x = x + 0.05 v.
        let (x, v, p0, p1) = (q[0], q[1], q[2], q[3]);
        let x2 = 0.99 * x + 0.2 * v;
        let want = [0.99 * p1 - 0.2 + 1.0, 0.2 * p1 + 0.99 + 0.05, 2.0, x2];
        let (_, g) = (fns.grad)(q);
        for (got, want) in g.iter().zip(want) {
            assert!(close(*got, want, 1e-13), "{g:?} vs {want:?}");
        }
        assert!(close((fns.f)(q), x2 * p1 + 2.0 * p0 + (-0.2 * x + 0.99 * v) + x + 0.05 * v, 1e-14));
    }
}
