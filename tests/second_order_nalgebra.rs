//! Second order of functions of nalgebra's static vectors and matrices: `_hessian` against the
//! analytic Hessian AND central differences of `_grad`, symmetric, `_hvp` equal to `H v` along
//! two directions, value and gradient equal to `_grad`'s, at three points.

mod common;

use nalgebra::{DMatrix, Matrix2, Matrix3, SVector, Vector3};
use tapeless::differentiable;

/// Checks a Hessian `h` at `x` against `exact`, against central differences of the gradient
/// `grad` (flattened), for symmetry, and `hvp` along two directions against `h v`.
fn check(
    name: &str,
    h: &DMatrix<f64>,
    exact: &DMatrix<f64>,
    grad: &dyn Fn(&[f64]) -> Vec<f64>,
    hvp: &dyn Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
) {
    // The Hessian is the Jacobian of the gradient: analytic and central differences.
    common::check_jacobian(name, h, exact, grad, x);
    let n = x.len();
    for r in 0..n {
        for c in 0..n {
            assert!(common::close(h[(r, c)], h[(c, r)], 1e-12), "{name}: not symmetric at ({r}, {c})");
        }
    }
    for salt in [1, 2] {
        let v = common::direction(n, salt);
        let hv = hvp(&v);
        let expected = h * DMatrix::from_column_slice(n, 1, &v);
        for i in 0..n {
            assert!(
                common::close(hv[i], expected[i], 1e-12),
                "{name}: (Hv)[{i}] = {} vs {}",
                hv[i],
                expected[i]
            );
        }
    }
}

/// `vᵀ A v` of a static vector: the Hessian is exactly `A + Aᵀ`.
#[differentiable(hessian, wrt(v))]
fn quadratic(v: &SVector<f64, 2>, a: &Matrix2<f64>) -> f64 {
    (a * v).dot(v)
}

#[test]
fn quadratic_form_of_a_static_vector() {
    let a = Matrix2::new(1.0, 2.0, -3.0, 4.0);
    for x in [[0.5, -1.0], [2.0, 0.3], [-1.5, 0.7]] {
        let v = SVector::<f64, 2>::from_column_slice(&x);
        let (value, g, h) = quadratic_hessian(&v, &a);
        assert_eq!((value, g), quadratic_grad(&v, &a));
        assert_eq!(h, DMatrix::from_column_slice(2, 2, (a + a.transpose()).as_slice()));
        let grad = |p: &[f64]| quadratic_grad(&SVector::from_column_slice(p), &a).1.as_slice().to_vec();
        let hvp = |d: &[f64]| quadratic_hvp(&v, &a, SVector::from_column_slice(d)).2.as_slice().to_vec();
        let exact = DMatrix::from_column_slice(2, 2, (a + a.transpose()).as_slice());
        check("quadratic", &h, &exact, &grad, &hvp, &x);
    }
}

/// `|A v| + (v · c) / |v| + |v|² v_x + (v × c) · d`, through `norm`, `normalize`, `dot`,
/// `norm_squared`, a coordinate and `cross`.
#[differentiable(hessian, wrt(v))]
fn geometric(v: Vector3<f64>, a: Matrix3<f64>, c: Vector3<f64>, d: Vector3<f64>) -> f64 {
    let w = a * v;
    w.norm() + v.normalize().dot(&c) + v.magnitude_squared() * v.x + v.cross(&c).dot(&d)
}

fn geometric_hessian_exact(v: Vector3<f64>, a: Matrix3<f64>, c: Vector3<f64>) -> Matrix3<f64> {
    let i = Matrix3::identity();
    // |A v|: Aᵀ (I / n - w wᵀ / n³) A.
    let w = a * v;
    let n = w.norm();
    let norm = a.transpose() * (i / n - w * w.transpose() / n.powi(3)) * a;
    // (u · c) with u = v / r: -(c uᵀ + u cᵀ + (u·c) I - 3 (u·c) u uᵀ) / r².
    let r = v.norm();
    let u = v / r;
    let uc = u.dot(&c);
    let direction =
        -(c * u.transpose() + u * c.transpose() + i * uc - u * u.transpose() * (3.0 * uc)) / (r * r);
    // |v|² v_x: 2 (e_x vᵀ + v e_xᵀ) + 2 v_x I; the cross term is linear.
    let ex = Vector3::x();
    let cubic = (ex * v.transpose() + v * ex.transpose()) * 2.0 + i * (2.0 * v.x);
    norm + direction + cubic
}

#[test]
fn norms_normalize_and_cross_of_a_static_vector() {
    let a = Matrix3::new(1.0, 2.0, 0.5, -1.0, 0.3, 2.0, 0.7, 0.1, -0.4);
    let (c, d) = (Vector3::new(0.2, -0.5, 1.0), Vector3::new(1.5, 0.4, -0.3));
    for x in [[0.3, -1.2, 0.8], [1.0, 0.5, -2.0], [-0.7, 0.9, 0.4]] {
        let v = Vector3::from_column_slice(&x);
        let (value, g, h) = geometric_hessian(v, a, c, d);
        assert_eq!((value, g), geometric_grad(v, a, c, d));
        let exact = geometric_hessian_exact(v, a, c);
        let grad = |p: &[f64]| geometric_grad(Vector3::from_column_slice(p), a, c, d).1.as_slice().to_vec();
        let hvp =
            |dir: &[f64]| geometric_hvp(v, a, c, d, Vector3::from_column_slice(dir)).2.as_slice().to_vec();
        check("geometric", &h, &DMatrix::from_column_slice(3, 3, exact.as_slice()), &grad, &hvp, &x);
    }
}

/// A vector assembled from floats: `|(x, y)|`, Hessian `(I - u uᵀ) / r`.
#[differentiable(hessian)]
fn radius(x: f64, y: f64) -> f64 {
    nalgebra::Vector2::new(x, y).norm()
}

#[test]
fn a_vector_assembled_from_floats() {
    for p in [[0.5, -1.0], [2.0, 0.3], [-1.5, 0.7]] {
        let (value, g, h) = radius_hessian(p[0], p[1]);
        assert_eq!((value, g), radius_grad(p[0], p[1]));
        let r = p[0].hypot(p[1]);
        let u = [p[0] / r, p[1] / r];
        let exact = DMatrix::from_fn(2, 2, |i, j| ((if i == j { 1.0 } else { 0.0 }) - u[i] * u[j]) / r);
        let grad = |q: &[f64]| {
            let (_, (gx, gy)) = radius_grad(q[0], q[1]);
            vec![gx, gy]
        };
        let hvp = |d: &[f64]| {
            let (_, _, (hx, hy)) = radius_hvp(p[0], p[1], d[0], d[1]);
            vec![hx, hy]
        };
        check("radius", &h, &exact, &grad, &hvp, &p);
    }
}

/// `vᵀ A v` with the matrix differentiated too: inputs `v` (2) then `A` column by column (4).
/// `∂²/∂v² = A + Aᵀ`, `∂²/∂v_k ∂A_ij = δ_ik v_j + δ_jk v_i`, `∂²/∂A² = 0`.
#[differentiable(hessian)]
fn bilinear(v: SVector<f64, 2>, a: Matrix2<f64>) -> f64 {
    v.dot(&(a * v))
}

#[test]
fn a_matrix_differentiated_with_a_vector() {
    for (x, m) in [
        ([0.5, -1.0], [1.0, -3.0, 2.0, 4.0]),
        ([2.0, 0.3], [0.1, 0.2, 0.3, 0.4]),
        ([-1.5, 0.7], [2.0, 1.0, -1.0, 0.5]),
    ] {
        let (v, a) = (SVector::<f64, 2>::from_column_slice(&x), Matrix2::from_column_slice(&m));
        let (value, g, h) = bilinear_hessian(v, a);
        assert_eq!((value, g), bilinear_grad(v, a));
        let mut exact = DMatrix::zeros(6, 6);
        let sym = a + a.transpose();
        for k in 0..2 {
            for l in 0..2 {
                exact[(k, l)] = sym[(k, l)];
            }
            for i in 0..2 {
                for j in 0..2 {
                    let cross = (if i == k { x[j] } else { 0.0 }) + if j == k { x[i] } else { 0.0 };
                    exact[(k, 2 + i + 2 * j)] = cross;
                    exact[(2 + i + 2 * j, k)] = cross;
                }
            }
        }
        let input: Vec<f64> = x.iter().chain(&m).copied().collect();
        let split =
            |p: &[f64]| (SVector::<f64, 2>::from_column_slice(&p[..2]), Matrix2::from_column_slice(&p[2..]));
        let grad = |p: &[f64]| {
            let (v, a) = split(p);
            let (_, (gv, ga)) = bilinear_grad(v, a);
            gv.iter().chain(ga.iter()).copied().collect()
        };
        let hvp = |d: &[f64]| {
            let (dv, da) = split(d);
            let (_, _, (hv, ha)) = bilinear_hvp(v, a, dv, da);
            hv.iter().chain(ha.iter()).copied().collect()
        };
        check("bilinear", &h, &exact, &grad, &hvp, &input);
    }
}

// ---- Dynamically sized: `DVector`/`DMatrix` at dual entries.

/// Logistic regression's loss with an L2 term: `Σ ln(1 + e^(-y_i x_iᵀ w)) + |w|² / 2`, Hessian
/// `Xᵀ diag(σ_i (1 - σ_i)) X + I`.
#[differentiable(hessian, wrt(w))]
fn logistic(w: &nalgebra::DVector<f64>, x: &nalgebra::DMatrix<f64>, y: &nalgebra::DVector<f64>) -> f64 {
    let margins = -y.component_mul(&(x * w));
    let mut s = 0.0;
    for i in 0..margins.len() {
        s += margins[i].exp().ln_1p();
    }
    s + 0.5 * w.norm_squared()
}

/// `|A x|² + |x|` with `x` a `DVector` by value: Hessian `2 AᵀA + (I - u uᵀ) / |x|`.
#[differentiable(hessian, wrt(x))]
fn energy(a: &nalgebra::DMatrix<f64>, x: nalgebra::DVector<f64>) -> f64 {
    (a * &x).norm_squared() + x.norm()
}

/// A `DVector` filled by index, and a chain over a static vector's entries:
/// `Σ x_i³ + Σ sin(x_i)` (Hessian `diag(6 x_i - sin x_i)`).
#[differentiable(hessian)]
fn filled(x: &[f64]) -> f64 {
    let mut cubes = nalgebra::DVector::<f64>::zeros(3);
    for i in 0..3 {
        cubes[i] = x[i] * x[i] * x[i];
    }
    let v = Vector3::new(x[0], x[1], x[2]);
    cubes.sum() + v.iter().map(|e| e.sin()).sum::<f64>()
}

#[test]
fn dynamically_sized_vectors_and_matrices() {
    use nalgebra::{DMatrix as M, DVector as V};
    let x = M::from_row_slice(4, 2, &[1.0, 0.5, -0.3, 2.0, 0.7, -1.1, 0.2, 0.9]);
    let y = V::from_vec(vec![1.0, -1.0, 1.0, -1.0]);
    let a = M::from_row_slice(2, 2, &[1.0, 2.0, 0.0, 3.0]);
    for p in [[0.2, -0.4], [1.0, 0.5], [-0.7, 0.3]] {
        let w = V::from_column_slice(&p);
        let (value, g, h) = logistic_hessian(&w, &x, &y);
        assert_eq!((value, &g), (logistic_grad(&w, &x, &y).0, &logistic_grad(&w, &x, &y).1));
        let mut exact = M::identity(2, 2);
        for i in 0..4 {
            let s = 1.0 / (1.0 + (-(x.row(i) * &w)[0]).exp());
            exact += x.row(i).transpose() * x.row(i) * (s * (1.0 - s));
        }
        let grad = |q: &[f64]| logistic_grad(&V::from_column_slice(q), &x, &y).1.as_slice().to_vec();
        let hvp = |d: &[f64]| logistic_hvp(&w, &x, &y, V::from_column_slice(d)).2.as_slice().to_vec();
        check("logistic", &h, &exact, &grad, &hvp, &p);

        let (value, g, h) = energy_hessian(&a, w.clone());
        assert_eq!((value, g), energy_grad(&a, w.clone()));
        let (r, u) = (w.norm(), w.normalize());
        let exact = a.transpose() * &a * 2.0 + (M::identity(2, 2) - &u * u.transpose()) / r;
        let grad = |q: &[f64]| energy_grad(&a, V::from_column_slice(q)).1.as_slice().to_vec();
        let hvp = |d: &[f64]| energy_hvp(&a, w.clone(), V::from_column_slice(d)).2.as_slice().to_vec();
        check("energy", &h, &exact, &grad, &hvp, &p);
    }
    for p in [[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-2.0, 1.0, 0.1]] {
        let (value, g, h) = filled_hessian(&p);
        assert_eq!((value, &g), (filled_grad(&p).0, &filled_grad(&p).1));
        let exact = M::from_diagonal(&V::from_iterator(3, p.iter().map(|x| 6.0 * x - x.sin())));
        let grad = |q: &[f64]| filled_grad(q).1;
        let hvp = |d: &[f64]| filled_hvp(&p, d.to_vec()).2;
        check("filled", &h, &exact, &grad, &hvp, &p);
    }
}

// ---- A derived struct of nalgebra fields: a linear layer's weights and bias, a static offset and
// a scale, as a model's parameters are written.

#[derive(Clone, Debug, PartialEq, tapeless::Differentiable)]
struct Layer {
    m: DMatrix<f64>,
    b: nalgebra::DVector<f64>,
    s: SVector<f64, 2>,
    c: f64,
}

/// `c |M x + b|² + c² |s|²`.
#[differentiable(hessian, wrt(p))]
fn layer_loss(p: &Layer, x: &nalgebra::DVector<f64>) -> f64 {
    let r = &p.m * x + &p.b;
    p.c * r.norm_squared() + p.c * p.c * p.s.norm_squared()
}

#[test]
fn a_derived_struct_of_nalgebra_fields() {
    let (rows, cols) = (2, 3);
    let x = nalgebra::DVector::from_vec(vec![0.4, -0.2, 0.9]);
    // Coordinates in `Flat` order: M by columns, then b, s and c.
    let (nm, n) = (rows * cols, rows * cols + rows + 3);
    let to = |q: &[f64]| Layer {
        m: DMatrix::from_column_slice(rows, cols, &q[..nm]),
        b: nalgebra::DVector::from_column_slice(&q[nm..nm + rows]),
        s: SVector::from_column_slice(&q[nm + rows..nm + rows + 2]),
        c: q[n - 1],
    };
    let flat = |l: &Layer| [l.m.as_slice(), l.b.as_slice(), l.s.as_slice(), &[l.c]].concat();
    for salt in [31, 32, 33] {
        let q = common::direction(n, salt);
        let p = to(&q);
        let r = &p.m * &x + &p.b;
        let (c, ss) = (p.c, p.s.norm_squared());
        // d r_i / d q_k: x_j for M_ij, 1 for b_i.
        let dr = |i: usize, k: usize| {
            if k < nm {
                if k % rows == i { x[k / rows] } else { 0.0 }
            } else if k == nm + i {
                1.0
            } else {
                0.0
            }
        };
        let mut exact = DMatrix::zeros(n, n);
        for k in 0..nm + rows {
            for l in 0..nm + rows {
                exact[(k, l)] = 2.0 * c * (0..rows).map(|i| dr(i, k) * dr(i, l)).sum::<f64>();
            }
            let mixed = 2.0 * (0..rows).map(|i| r[i] * dr(i, k)).sum::<f64>();
            exact[(k, n - 1)] = mixed;
            exact[(n - 1, k)] = mixed;
        }
        for k in 0..2 {
            exact[(nm + rows + k, nm + rows + k)] = 2.0 * c * c;
            exact[(nm + rows + k, n - 1)] = 4.0 * c * p.s[k];
            exact[(n - 1, nm + rows + k)] = 4.0 * c * p.s[k];
        }
        exact[(n - 1, n - 1)] = 2.0 * ss;

        let (value, g, h) = layer_loss_hessian(&p, &x);
        assert_eq!((value, g.clone()), layer_loss_grad(&p, &x));
        // The gradient itself against its closed form: 2c r xᵀ, 2c r, 2c² s, |r|² + 2c |s|².
        let g_exact: Vec<f64> = (0..n)
            .map(|k| match k {
                k if k < nm + rows => 2.0 * c * (0..rows).map(|i| r[i] * dr(i, k)).sum::<f64>(),
                k if k < n - 1 => 2.0 * c * c * p.s[k - nm - rows],
                _ => r.norm_squared() + 2.0 * c * ss,
            })
            .collect();
        for (k, (a, e)) in flat(&g).iter().zip(&g_exact).enumerate() {
            assert!(common::close(*a, *e, 1e-12), "layer_loss: gradient[{k}] = {a} vs {e}");
        }
        // Forward against reverse: <u, J d> = <Jᵀ u, d>.
        let (d, u) = (common::direction(n, salt + 40), 0.8);
        let (_, jd) = layer_loss_jvp(&p, &x, to(&d));
        let (_, pullback) = layer_loss_vjp(&p, &x);
        let jtu: f64 = flat(&pullback(u)).iter().zip(&d).map(|(a, b)| a * b).sum();
        assert!(common::close(u * jd, jtu, 1e-12), "layer_loss: <u, J d> = {} vs <Jᵀ u, d> = {jtu}", u * jd);
        let grad = |q: &[f64]| flat(&layer_loss_grad(&to(q), &x).1);
        let hvp = |d: &[f64]| flat(&layer_loss_hvp(&p, &x, to(d)).2);
        check("layer_loss", &h, &exact, &grad, &hvp, &q);
    }
}

// ---- nalgebra's `map` and a matrix's columns and rows, in second order.

/// `Σ tanh(v_i) + Σ v_i³ / 2`, two `map`s of a `DVector`.
#[differentiable(hessian)]
fn mapped(v: &nalgebra::DVector<f64>) -> f64 {
    v.map(|e| e.tanh()).sum() + v.map(|e| e * e * 0.5).dot(v)
}

const TWO: f64 = 2.0;

/// `Σ sin(2 v_i) + (Σ e^{v_i}) v_x` of a static vector, a closure reading a `const`.
#[differentiable(hessian)]
fn mapped_static(v: Vector3<f64>) -> f64 {
    v.map(|e| (TWO * e).sin()).sum() + v.map(|e| e.exp()).sum() * v.x
}

/// `|m[.., 1]|² (Σ m[0, ..])`.
#[differentiable(hessian)]
fn parts(m: &DMatrix<f64>) -> f64 {
    m.column(1).norm_squared() * m.row(0).sum()
}

#[test]
fn map_of_dynamic_and_static_vectors() {
    for salt in [41, 42, 43] {
        let x = common::direction(4, salt);
        let v = nalgebra::DVector::from_column_slice(&x);
        let (value, g, h) = mapped_hessian(&v);
        assert_eq!((value, g), mapped_grad(&v));
        let exact = DMatrix::from_fn(4, 4, |i, j| {
            let (t, e) = (x[i].tanh(), x[i]);
            if i == j { -2.0 * t * (1.0 - t * t) + 3.0 * e } else { 0.0 }
        });
        let grad = |p: &[f64]| mapped_grad(&nalgebra::DVector::from_column_slice(p)).1.as_slice().to_vec();
        let hvp = |d: &[f64]| mapped_hvp(&v, nalgebra::DVector::from_column_slice(d)).2.as_slice().to_vec();
        check("mapped", &h, &exact, &grad, &hvp, &x);

        let x = common::direction(3, salt + 10);
        let v = Vector3::from_column_slice(&x);
        let (value, g, h) = mapped_static_hessian(v);
        assert_eq!((value, g), mapped_static_grad(v));
        let exact = DMatrix::from_fn(3, 3, |j, k| {
            let mut e = 0.0;
            if j == k {
                e += -4.0 * (2.0 * x[j]).sin() + x[j].exp() * x[0];
            }
            if k == 0 {
                e += x[j].exp();
            }
            if j == 0 {
                e += x[k].exp();
            }
            e
        });
        let grad = |p: &[f64]| mapped_static_grad(Vector3::from_column_slice(p)).1.as_slice().to_vec();
        let hvp = |d: &[f64]| mapped_static_hvp(v, Vector3::from_column_slice(d)).2.as_slice().to_vec();
        check("mapped_static", &h, &exact, &grad, &hvp, &x);
    }
}

#[test]
fn a_column_and_a_row_of_a_matrix() {
    for salt in [44, 45, 46] {
        // Coordinates column by column: q = [m00, m10, m01, m11].
        let q = common::direction(4, salt);
        let m = DMatrix::from_column_slice(2, 2, &q);
        let (value, g, h) = parts_hessian(&m);
        assert_eq!((value, g), parts_grad(&m));
        let b = q[0] + q[2];
        let mut exact = DMatrix::zeros(4, 4);
        for (r, c, e) in [(0, 2, 2.0 * q[2]), (0, 3, 2.0 * q[3]), (2, 3, 2.0 * q[3])] {
            exact[(r, c)] = e;
            exact[(c, r)] = e;
        }
        exact[(2, 2)] = 2.0 * b + 4.0 * q[2];
        exact[(3, 3)] = 2.0 * b;
        let grad = |p: &[f64]| parts_grad(&DMatrix::from_column_slice(2, 2, p)).1.as_slice().to_vec();
        let hvp = |d: &[f64]| parts_hvp(&m, DMatrix::from_column_slice(2, 2, d)).2.as_slice().to_vec();
        check("parts", &h, &exact, &grad, &hvp, &q);
    }
}

// ---- Constant nalgebra constructors in the body: `Vector3::x()`, `Matrix3::identity()`,
// `Vector3::zeros()`, and `DVector::zeros(v.len())`, `DMatrix::identity(n, n)` sized by a
// differentiated vector.

/// `|v × x̂|² + 2 |v|² + v_y`: gradient `(4 v_x, 6 v_y + 1, 6 v_z)`, Hessian `diag(4, 6, 6)`.
#[differentiable(hessian)]
fn axes(v: &Vector3<f64>) -> f64 {
    let up = Vector3::x();
    let m = Matrix3::identity() * 2.0;
    v.cross(&up).norm_squared() + (v - Vector3::zeros()).dot(&(m * v)) + Vector3::y().dot(v)
}

/// `3 |v|² + Σ v`: gradient `6 v + 1`, Hessian `6 I`.
#[differentiable(hessian)]
fn sized(v: &nalgebra::DVector<f64>) -> f64 {
    let n = v.len();
    let z = nalgebra::DVector::zeros(n);
    let m = DMatrix::identity(n, n) * 3.0;
    (v - z).dot(&(m * v)) + v.sum()
}

#[test]
fn constant_constructors_in_first_and_second_order() {
    for salt in [51, 52, 53] {
        let x = common::direction(3, salt);
        let v = Vector3::from_column_slice(&x);
        let (value, g) = axes_grad(&v);
        assert!(common::close(value, axes(&v), 1e-15));
        let want = [4.0 * x[0], 6.0 * x[1] + 1.0, 6.0 * x[2]];
        for k in 0..3 {
            assert!(common::close(g[k], want[k], 1e-14), "axes: gradient[{k}] = {} vs {}", g[k], want[k]);
        }
        // Forward against reverse: <u, J d> = <Jᵀ u, d>.
        let (d, u) = (Vector3::from_column_slice(&common::direction(3, salt + 5)), 0.7);
        let (_, jd) = axes_jvp(&v, d);
        let (_, pullback) = axes_vjp(&v);
        assert!(common::close(u * jd, pullback(u).dot(&d), 1e-12));
        let (_, _, h) = axes_hessian(&v);
        let exact = DMatrix::from_diagonal(&nalgebra::DVector::from_vec(vec![4.0, 6.0, 6.0]));
        let grad = |p: &[f64]| axes_grad(&Vector3::from_column_slice(p)).1.as_slice().to_vec();
        let hvp = |d: &[f64]| axes_hvp(&v, Vector3::from_column_slice(d)).2.as_slice().to_vec();
        check("axes", &h, &exact, &grad, &hvp, &x);

        let x = common::direction(4, salt + 10);
        let v = nalgebra::DVector::from_column_slice(&x);
        let (value, g) = sized_grad(&v);
        assert!(common::close(value, sized(&v), 1e-15));
        for k in 0..4 {
            assert!(common::close(g[k], 6.0 * x[k] + 1.0, 1e-14), "sized: gradient[{k}]");
        }
        let d = nalgebra::DVector::from_column_slice(&common::direction(4, salt + 15));
        let (_, jd) = sized_jvp(&v, d.clone());
        let (_, pullback) = sized_vjp(&v);
        assert!(common::close(u * jd, pullback(u).dot(&d), 1e-12));
        let (_, _, h) = sized_hessian(&v);
        let exact = DMatrix::identity(4, 4) * 6.0;
        let grad = |p: &[f64]| sized_grad(&nalgebra::DVector::from_column_slice(p)).1.as_slice().to_vec();
        let hvp = |d: &[f64]| sized_hvp(&v, nalgebra::DVector::from_column_slice(d)).2.as_slice().to_vec();
        check("sized", &h, &exact, &grad, &hvp, &x);
    }
}
