//! Linear solves as nalgebra users write them: `a.lu().solve(&b).unwrap()`, `qr`, `full_piv_lu`,
//! `a.cholesky().unwrap().solve(&b)`, with `expect`, and decompositions kept in a variable. Each
//! gradient against its closed form and central differences, JVP against VJP; second order
//! against the analytic Hessian and central differences of `_grad`.

mod common;

use nalgebra::{DMatrix, DVector, Matrix3, Matrix3x2, Vector3, Vector4};
use tapeless::differentiable;

/// `cᵀ A⁻¹ b` by an LU decomposition.
#[differentiable(wrt(a, b))]
fn through_lu(a: Matrix3<f64>, b: Vector3<f64>, c: &Vector3<f64>) -> f64 {
    c.dot(&a.lu().solve(&b).unwrap())
}

/// The same by QR, with `expect`.
#[differentiable(wrt(a, b))]
fn through_qr(a: Matrix3<f64>, b: Vector3<f64>, c: &Vector3<f64>) -> f64 {
    let x = a.qr().solve(&b).expect("invertible");
    c.dot(&x)
}

/// The same by a fully pivoted LU kept in a variable.
#[differentiable(wrt(a, b))]
fn through_kept_lu(a: Matrix3<f64>, b: Vector3<f64>, c: &Vector3<f64>) -> f64 {
    let lu = a.full_piv_lu();
    let x = lu.solve(&b).unwrap();
    c.dot(&x)
}

/// `cᵀ S⁻¹ b` by a Cholesky decomposition, `S` the symmetric matrix of `a`'s lower triangle
/// (the only one `cholesky` reads).
#[differentiable(wrt(a, b))]
fn through_cholesky(a: Matrix3<f64>, b: Vector3<f64>, c: &Vector3<f64>) -> f64 {
    c.dot(&a.cholesky().unwrap().solve(&b))
}

/// The same, the decomposition kept in a variable and unwrapped with `expect`.
#[differentiable(wrt(a, b))]
fn through_kept_cholesky(a: Matrix3<f64>, b: Vector3<f64>, c: &Vector3<f64>) -> f64 {
    let chol = a.cholesky().expect("positive definite");
    let x = chol.solve(&b);
    c.dot(&x)
}

type Solved = fn(Matrix3<f64>, Vector3<f64>, &Vector3<f64>) -> f64;
type SolvedGrad = fn(Matrix3<f64>, Vector3<f64>, &Vector3<f64>) -> (f64, (Matrix3<f64>, Vector3<f64>));
type SolvedJvp = fn(Matrix3<f64>, Vector3<f64>, &Vector3<f64>, Matrix3<f64>, Vector3<f64>) -> (f64, f64);

/// The analytic gradient of `cᵀ S⁻¹ b` (`S = a`, or with `lower` the symmetric matrix of `a`'s
/// lower triangle): `b̄ = S⁻ᵀ c`, `S̄ = -(S⁻ᵀ c)(S⁻¹ b)ᵀ`, folded onto the lower triangle with
/// `lower`.
fn solve_gradient(
    a: &Matrix3<f64>,
    b: &Vector3<f64>,
    c: &Vector3<f64>,
    lower: bool,
) -> (Matrix3<f64>, Vector3<f64>) {
    let s = if lower { Matrix3::from_fn(|i, j| a[(i.max(j), i.min(j))]) } else { *a };
    let inv = s.try_inverse().unwrap();
    let gb = inv.transpose() * c;
    let g = -(gb * (inv * b).transpose());
    let ga = if lower {
        Matrix3::from_fn(|i, j| match i.cmp(&j) {
            std::cmp::Ordering::Less => 0.0,
            std::cmp::Ordering::Equal => g[(i, i)],
            std::cmp::Ordering::Greater => g[(i, j)] + g[(j, i)],
        })
    } else {
        g
    };
    (ga, gb)
}

/// The matrices of the tests: invertible, positive definite in their lower triangles, with
/// upper triangles that differ from the lower ones (which `cholesky` must ignore).
fn matrices() -> [Matrix3<f64>; 3] {
    [
        Matrix3::new(4.0, 7.0, -3.0, 1.0, 3.0, 2.5, 0.5, -0.2, 2.0),
        Matrix3::new(2.5, 0.1, 0.0, -0.4, 1.5, 0.9, 0.3, 0.2, 3.0),
        Matrix3::new(5.0, -1.0, 4.0, 2.0, 4.0, -2.0, -1.0, 1.0, 6.0),
    ]
}

fn check_solved(name: &str, f: Solved, grad: SolvedGrad, jvp: SolvedJvp, lower: bool) {
    let c = Vector3::new(0.7, -1.1, 0.4);
    let bs = [Vector3::new(1.0, 2.0, -0.5), Vector3::new(-0.3, 0.8, 1.2), Vector3::new(2.0, -1.0, 0.5)];
    for (a, b) in matrices().into_iter().zip(bs) {
        let (value, (ga, gb)) = grad(a, b, &c);
        assert_eq!(value, f(a, b, &c), "{name}: value");
        // Closed form.
        let (ea, eb) = solve_gradient(&a, &b, &c, lower);
        for (k, (x, y)) in ga.iter().chain(gb.iter()).zip(ea.iter().chain(eb.iter())).enumerate() {
            assert!(common::close(*x, *y, 1e-12), "{name}: gradient entry {k}: {x} vs analytic {y}");
        }
        // Central differences over the 12 inputs, the matrix column by column.
        let flat: Vec<f64> = a.iter().chain(b.iter()).copied().collect();
        let of_flat =
            |p: &[f64]| f(Matrix3::from_column_slice(&p[..9]), Vector3::from_column_slice(&p[9..]), &c);
        let g: Vec<f64> = ga.iter().chain(gb.iter()).copied().collect();
        common::gradient_central(name, &of_flat, &flat, &g, 1e-7);
        // Forward against reverse: the JVP along (da, db) is <(ga, gb), (da, db)>.
        let d = common::direction(12, 3);
        let (da, db) = (Matrix3::from_column_slice(&d[..9]), Vector3::from_column_slice(&d[9..]));
        let (jv, t) = jvp(a, b, &c, da, db);
        assert_eq!(jv, value);
        let want = ga.dot(&da) + gb.dot(&db);
        assert!(common::close(t, want, 1e-12), "{name}: jvp {t} vs <g, d> {want}");
    }
}

#[test]
fn solves_by_lu_qr_and_a_kept_decomposition() {
    check_solved("through_lu", through_lu, through_lu_grad, through_lu_jvp, false);
    check_solved("through_qr", through_qr, through_qr_grad, through_qr_jvp, false);
    check_solved("through_kept_lu", through_kept_lu, through_kept_lu_grad, through_kept_lu_jvp, false);
    // The pullback is the gradient.
    let (a, b, c) = (matrices()[0], Vector3::new(1.0, 2.0, -0.5), Vector3::new(0.7, -1.1, 0.4));
    let (_, pullback) = through_lu_vjp(a, b, &c);
    assert_eq!(pullback(1.0), through_lu_grad(a, b, &c).1);
}

#[test]
fn cholesky_reads_the_lower_triangle_only() {
    check_solved("through_cholesky", through_cholesky, through_cholesky_grad, through_cholesky_jvp, true);
    check_solved(
        "through_kept_cholesky",
        through_kept_cholesky,
        through_kept_cholesky_grad,
        through_kept_cholesky_jvp,
        true,
    );
    // The upper triangle has no derivative: it is not read.
    let (ga, _) =
        through_cholesky_grad(matrices()[0], Vector3::new(1.0, 2.0, -0.5), &Vector3::new(0.7, -1.1, 0.4)).1;
    assert_eq!((ga[(0, 1)], ga[(0, 2)], ga[(1, 2)]), (0.0, 0.0, 0.0));
}

/// `Σ_ij w_ij (A⁻¹ B)_ij`: several right-hand sides at once.
#[differentiable(wrt(a, rhs))]
fn several_right_hand_sides(a: Matrix3<f64>, rhs: Matrix3x2<f64>, w: &Matrix3x2<f64>) -> f64 {
    a.lu().solve(&rhs).unwrap().component_mul(w).sum()
}

#[test]
fn a_matrix_of_right_hand_sides() {
    let w = Matrix3x2::new(1.0, -0.5, 0.3, 2.0, -1.2, 0.7);
    for (k, a) in matrices().into_iter().enumerate() {
        let rhs = Matrix3x2::from_fn(|i, j| (i as f64 - j as f64 * 0.7 + k as f64).sin());
        let (value, (ga, gr)) = several_right_hand_sides_grad(a, rhs, &w);
        // Closed form: B̄ = A⁻ᵀ W, Ā = -(A⁻ᵀ W)(A⁻¹ B)ᵀ.
        let inv = a.try_inverse().unwrap();
        let er = inv.transpose() * w;
        let ea = -(er * (inv * rhs).transpose());
        assert!(
            (ga - ea).amax() <= 1e-12 * ea.amax().max(1.0) && (gr - er).amax() <= 1e-12 * er.amax().max(1.0)
        );
        let flat: Vec<f64> = a.iter().chain(rhs.iter()).copied().collect();
        let of_flat = |p: &[f64]| {
            several_right_hand_sides(
                Matrix3::from_column_slice(&p[..9]),
                Matrix3x2::from_column_slice(&p[9..]),
                &w,
            )
        };
        let g: Vec<f64> = ga.iter().chain(gr.iter()).copied().collect();
        common::gradient_central("several_right_hand_sides", &of_flat, &flat, &g, 1e-7);
        let d = common::direction(15, 5);
        let (da, dr) = (Matrix3::from_column_slice(&d[..9]), Matrix3x2::from_column_slice(&d[9..]));
        let (v, t) = several_right_hand_sides_jvp(a, rhs, &w, da, dr);
        assert_eq!(v, value);
        assert!(common::close(t, ga.dot(&da) + gr.dot(&dr), 1e-12));
    }
}

/// The residual of ridge regression, `|X w - y|²` with `w = (XᵀX + λI)⁻¹ Xᵀ y` solved by
/// Cholesky on dynamic matrices.
#[differentiable(wrt(y, lambda))]
fn ridge_residual(x: &DMatrix<f64>, y: &DVector<f64>, lambda: f64) -> f64 {
    let n = x.ncols();
    let normal = x.transpose() * x + DMatrix::identity(n, n) * lambda;
    let w = normal.cholesky().expect("positive definite").solve(&(x.transpose() * y));
    (x * w - y).norm_squared()
}

#[test]
fn ridge_regression_on_dynamic_matrices() {
    let x = DMatrix::from_row_slice(5, 2, &[1.0, 0.5, 0.3, 2.0, -1.0, 0.7, 0.2, 0.1, 1.5, -0.4]);
    for (k, lambda) in [0.3, 1.0, 2.5].into_iter().enumerate() {
        let y = DVector::from_fn(5, |i, _| ((i + k) as f64 * 0.9).cos());
        let (value, (gy, gl)) = ridge_residual_grad(&x, &y, lambda);
        assert_eq!(value, ridge_residual(&x, &y, lambda));
        // Closed form, with M = (XᵀX + λI)⁻¹ and r = X w - y: ∂/∂λ = -2 rᵀ X M w,
        // ∂/∂y = 2 (X M Xᵀ - I) r.
        let m = (x.transpose() * &x + DMatrix::identity(2, 2) * lambda).try_inverse().unwrap();
        let w = &m * x.transpose() * &y;
        let r = &x * &w - &y;
        let el = -2.0 * r.dot(&(&x * &m * &w));
        let ey = 2.0 * (&x * &m * x.transpose() - DMatrix::identity(5, 5)) * &r;
        assert!(common::close(gl, el, 1e-12), "{gl} vs {el}");
        assert!((&gy - &ey).amax() <= 1e-12, "{gy} vs {ey}");
        let flat: Vec<f64> = y.iter().copied().chain([lambda]).collect();
        let of_flat = |p: &[f64]| ridge_residual(&x, &DVector::from_column_slice(&p[..5]), p[5]);
        let g: Vec<f64> = gy.iter().copied().chain([gl]).collect();
        common::gradient_central("ridge_residual", &of_flat, &flat, &g, 1e-7);
        let (dy, dl) = (DVector::from_column_slice(&common::direction(5, 9)), 0.8);
        let (v, t) = ridge_residual_jvp(&x, &y, lambda, dy.clone(), dl);
        assert_eq!(v, value);
        assert!(common::close(t, gy.dot(&dy) + gl * dl, 1e-12));
    }
}

/// `bᵀ (A₀ + t I)⁻¹ b` with `(b, t) = p`, by Cholesky; and the same with a constant matrix by LU.
#[differentiable(hessian)]
fn shifted_energy(p: Vector4<f64>) -> f64 {
    let a0 = Matrix3::new(3.0, 0.5, 0.2, 0.5, 2.0, -0.3, 0.2, -0.3, 1.5);
    let b = Vector3::new(p[0], p[1], p[2]);
    let x = (a0 + Matrix3::identity() * p[3]).cholesky().unwrap().solve(&b);
    b.dot(&x)
}

#[differentiable(hessian)]
fn constant_solve(b: Vector3<f64>) -> f64 {
    let a = Matrix3::new(3.0, 1.0, 0.0, -1.0, 2.0, 0.5, 0.3, 0.0, 1.5);
    let lu = a.lu();
    lu.solve(&b).unwrap().norm_squared()
}

#[test]
fn second_order_through_solves() {
    let a0 = Matrix3::new(3.0, 0.5, 0.2, 0.5, 2.0, -0.3, 0.2, -0.3, 1.5);
    for p in [
        Vector4::new(1.0, -0.5, 0.3, 0.4),
        Vector4::new(0.2, 1.1, -0.7, 1.3),
        Vector4::new(-1.0, 0.4, 0.9, 0.1),
    ] {
        let (value, g, h) = shifted_energy_hessian(p);
        // Second order solves by elimination on dual numbers, not by nalgebra's Cholesky: the
        // same value and gradient up to rounding.
        let (gv, gg) = shifted_energy_grad(p);
        assert!(common::close(value, gv, 1e-14) && (g - gg).amax() <= 1e-14);
        // Analytic, with N = (A₀ + t I)⁻¹: ∂²/∂b² = 2N, ∂²/∂b∂t = -2 N² b, ∂²/∂t² = 2 bᵀ N³ b.
        let b = Vector3::new(p[0], p[1], p[2]);
        let n = (a0 + Matrix3::identity() * p[3]).try_inverse().unwrap();
        let nb = n * b;
        let mut exact = DMatrix::zeros(4, 4);
        exact.view_mut((0, 0), (3, 3)).copy_from(&(n * 2.0));
        let cross = -2.0 * n * nb;
        for i in 0..3 {
            exact[(i, 3)] = cross[i];
            exact[(3, i)] = cross[i];
        }
        exact[(3, 3)] = 2.0 * nb.dot(&(n * nb));
        let grad = |q: &[f64]| shifted_energy_grad(Vector4::from_column_slice(q)).1.as_slice().to_vec();
        common::check_jacobian("shifted_energy", &h, &exact, &grad, p.as_slice());
        let v = Vector4::new(0.3, -1.0, 0.5, 2.0);
        let (_, _, hv) = shifted_energy_hvp(p, v);
        let want = &h * DVector::from_column_slice(v.as_slice());
        assert!((0..4).all(|i| common::close(hv[i], want[i], 1e-12)));
    }
    let a = Matrix3::new(3.0, 1.0, 0.0, -1.0, 2.0, 0.5, 0.3, 0.0, 1.5);
    let inv = a.try_inverse().unwrap();
    let exact = DMatrix::from_column_slice(3, 3, (inv.transpose() * inv * 2.0).as_slice());
    for b in [Vector3::new(1.0, 2.0, 3.0), Vector3::new(-0.4, 0.1, 0.9), Vector3::new(2.0, -2.0, 0.5)] {
        let (_, g, h) = constant_solve_hessian(b);
        assert!((g - inv.transpose() * inv * b * 2.0).amax() <= 1e-12);
        let grad = |q: &[f64]| constant_solve_grad(Vector3::from_column_slice(q)).1.as_slice().to_vec();
        common::check_jacobian("constant_solve", &h, &exact, &grad, b.as_slice());
    }
}
