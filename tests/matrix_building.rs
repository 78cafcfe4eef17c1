//! Dynamic matrices built in the body: `DMatrix::from_fn(r, c, |i, j| ..)` (a kernel matrix),
//! `DMatrix::zeros(r, c)` written entry by entry as `m[(i, j)] = ..`, a `DMatrix` held constant
//! by `no_grad`, and a constant rigid motion applied to a point.

mod common;

use common::{close, forward_against_reverse, gradient_central};
use nalgebra::{DMatrix, DVector, Isometry3, Point3, UnitQuaternion, Vector3};
use tapeless::differentiable;

/// A Gaussian process's negative log likelihood without its constant: the kernel matrix
/// `K_ij = exp(-(x_i - x_j)² / 2ℓ²) + 0.1 δ_ij`, then `½ yᵀ K y + ln det K` (the quadratic form
/// with `K` itself keeps it a polynomial in `K`'s entries, so the analytic gradient is short).
#[differentiable(hessian)]
fn kernel_nll(x: &DVector<f64>, y: &DVector<f64>, ell: f64) -> f64 {
    let n = x.len();
    let k = DMatrix::from_fn(n, n, |i, j| {
        (-(x[i] - x[j]).powi(2) / (2.0 * ell * ell)).exp() + if i == j { 0.1 } else { 0.0 }
    });
    0.5 * (y.transpose() * &k * y)[0] + k.determinant().ln()
}

/// The same, its kernel written entry by entry into `DMatrix::zeros`.
#[differentiable]
fn kernel_nll_by_entries(x: &DVector<f64>, y: &DVector<f64>, ell: f64) -> f64 {
    let n = x.len();
    let mut k = DMatrix::zeros(n, n);
    for i in 0..n {
        for j in 0..n {
            k[(i, j)] = (-(x[i] - x[j]).powi(2) / (2.0 * ell * ell)).exp();
        }
        k[(i, i)] += 0.1;
    }
    0.5 * (y.transpose() * &k * y)[0] + k.determinant().ln()
}

/// d/dθ of `½ yᵀ K y + ln det K` = `½ yᵀ K' y + tr(K⁻¹ K')`, for the three kinds of θ.
fn kernel_nll_exact(x: &[f64], y: &[f64], ell: f64) -> (Vec<f64>, Vec<f64>, f64) {
    let n = x.len();
    let kernel = |i: usize, j: usize| (-(x[i] - x[j]).powi(2) / (2.0 * ell * ell)).exp();
    let k = DMatrix::from_fn(n, n, |i, j| kernel(i, j) + if i == j { 0.1 } else { 0.0 });
    let kinv = k.clone().try_inverse().expect("K is positive definite");
    let yv = DVector::from_column_slice(y);
    // dK/dx_m: only row and column m; dK_mj/dx_m = -k_mj (x_m - x_j) / ℓ².
    let gx = (0..n)
        .map(|m| {
            let dk = DMatrix::from_fn(n, n, |i, j| {
                let d = -kernel(i, j) * (x[i] - x[j]) / (ell * ell);
                if i == m && j != m {
                    d
                } else if j == m && i != m {
                    -d
                } else {
                    0.0
                }
            });
            0.5 * (yv.transpose() * &dk * &yv)[0] + (&kinv * &dk).trace()
        })
        .collect();
    let gy = (&k * &yv).iter().copied().collect();
    let dk = DMatrix::from_fn(n, n, |i, j| kernel(i, j) * (x[i] - x[j]).powi(2) / ell.powi(3));
    let gl = 0.5 * (yv.transpose() * &dk * &yv)[0] + (&kinv * &dk).trace();
    (gx, gy, gl)
}

#[test]
fn a_kernel_matrix_from_a_closure() {
    let points = [
        (vec![0.0, 0.4, 1.1, 1.5], vec![0.2, -0.5, 0.7, 0.3], 0.8),
        (vec![-1.0, 0.2, 0.9], vec![1.0, 0.4, -0.3], 1.3),
        (vec![0.3, 0.35, 2.0, -0.4, 1.2], vec![0.1, 0.2, 0.3, -0.4, 0.5], 0.6),
    ];
    for (x, y, ell) in points {
        let n = x.len();
        let (xv, yv) = (DVector::from_column_slice(&x), DVector::from_column_slice(&y));
        let (value, (gx, gy, gl)) = kernel_nll_grad(&xv, &yv, ell);
        assert_eq!(value, kernel_nll(&xv, &yv, ell));
        let (ex, ey, el) = kernel_nll_exact(&x, &y, ell);
        for m in 0..n {
            assert!(close(gx[m], ex[m], 1e-10), "d/dx{m}: {} vs {}", gx[m], ex[m]);
            assert!(close(gy[m], ey[m], 1e-12), "d/dy{m}: {} vs {}", gy[m], ey[m]);
        }
        assert!(close(gl, el, 1e-10), "d/dl: {gl} vs {el}");
        let flat: Vec<f64> = x.iter().chain(&y).copied().chain([ell]).collect();
        let g: Vec<f64> = gx.iter().chain(gy.iter()).copied().chain([gl]).collect();
        let f = |p: &[f64]| {
            kernel_nll(
                &DVector::from_column_slice(&p[..n]),
                &DVector::from_column_slice(&p[n..2 * n]),
                p[2 * n],
            )
        };
        gradient_central("kernel_nll", &f, &flat, &g, 1e-7);

        let v = common::direction(2 * n + 1, 3);
        let (dx, dy) = (DVector::from_column_slice(&v[..n]), DVector::from_column_slice(&v[n..2 * n]));
        let (_, tangent) = kernel_nll_jvp(&xv, &yv, ell, dx, dy, v[2 * n]);
        let (_, pullback) = kernel_nll_vjp(&xv, &yv, ell);
        let (ux, uy, ul) = pullback(0.7);
        let g_u: Vec<f64> = ux.iter().chain(uy.iter()).copied().chain([ul]).collect();
        forward_against_reverse("kernel_nll", tangent, &v, 0.7, &g_u, 1e-11);

        // The same matrix written entry by entry.
        let (by_entries, (bx, by, bl)) = kernel_nll_by_entries_grad(&xv, &yv, ell);
        assert!(close(by_entries, value, 1e-14));
        for m in 0..n {
            assert!(close(bx[m], gx[m], 1e-12) && close(by[m], gy[m], 1e-12));
        }
        assert!(close(bl, gl, 1e-12));
        let (_, tangent) = kernel_nll_by_entries_jvp(
            &xv,
            &yv,
            ell,
            DVector::from_column_slice(&v[..n]),
            DVector::from_column_slice(&v[n..2 * n]),
            v[2 * n],
        );
        forward_against_reverse("kernel_nll_by_entries", tangent, &v, 1.0, &g, 1e-11);

        // Second order: H v against central differences of the gradient along v.
        let grad_at = |s: f64| {
            let p: Vec<f64> = flat.iter().zip(&v).map(|(a, b)| a + s * b).collect();
            let (_, (a, b, c)) = kernel_nll_grad(
                &DVector::from_column_slice(&p[..n]),
                &DVector::from_column_slice(&p[n..2 * n]),
                p[2 * n],
            );
            a.iter().chain(b.iter()).copied().chain([c]).collect::<Vec<f64>>()
        };
        let (_, _, h) = kernel_nll_hessian(&xv, &yv, ell);
        let (up, down) = (grad_at(1e-5), grad_at(-1e-5));
        for r in 0..2 * n + 1 {
            let hv: f64 = (0..2 * n + 1).map(|c| h[(r, c)] * v[c]).sum();
            let fd = (up[r] - down[r]) / 2e-5;
            assert!(close(hv, fd, 1e-6), "(H v)[{r}] = {hv} vs {fd}");
            for c in 0..2 * n + 1 {
                assert!(close(h[(r, c)], h[(c, r)], 1e-12), "H symmetric at {r},{c}");
            }
        }
        // ∂²/∂y_i∂y_j = K_ij exactly.
        for i in 0..n {
            for j in 0..n {
                let k = (-(x[i] - x[j]).powi(2) / (2.0 * ell * ell)).exp() + if i == j { 0.1 } else { 0.0 };
                assert!(close(h[(n + i, n + j)], k, 1e-12));
            }
        }
    }
}

/// Diagonal matrices of differentiated entries: `DMatrix::from_diagonal(&v)`,
/// `DMatrix::from_diagonal_element(r, c, s)`, `Matrix3::from_diagonal(&v)` and
/// `Matrix2::from_diagonal_element(s)`. Each was "`from_diagonal` of a differentiable value is
/// not supported".
#[differentiable(hessian)]
fn diagonals(x: &DVector<f64>, s: f64) -> f64 {
    let d = DMatrix::from_diagonal(&x.map(|v| v.exp()));
    let e = DMatrix::from_diagonal_element(3, 3, s);
    let m3 = nalgebra::Matrix3::from_diagonal(&Vector3::new(x[0], s, 2.0));
    let a = DMatrix::from_fn(3, 3, |i, j| 1.0 + (i + 2 * j) as f64);
    (&a * d * a.transpose()).trace()
        + (e * &a).sum()
        + (m3 * Vector3::new(1.0, x[1], 2.0)).norm_squared()
        + nalgebra::Matrix2::from_diagonal_element(s).determinant()
}

#[test]
fn diagonal_matrices_of_differentiated_entries() {
    // trace(A D Aᵀ) = Σ_k e^{x_k} c_k with c_k = Σ_i A_ik²; s Σ A; x₀² + s² x₁² + 16; s².
    let a = DMatrix::from_fn(3, 3, |i, j| 1.0 + (i + 2 * j) as f64);
    let c: Vec<f64> = (0..3).map(|k| a.column(k).norm_squared()).collect();
    for (x, s) in [(vec![0.3, -0.5, 0.8], 1.5), (vec![-1.0, 0.2, 0.0], -0.4)] {
        let xv = DVector::from_column_slice(&x);
        let (value, (gx, gs)) = diagonals_grad(&xv, s);
        let want_value = (0..3).map(|k| x[k].exp() * c[k]).sum::<f64>()
            + s * a.sum()
            + x[0] * x[0]
            + s * s * x[1] * x[1]
            + 16.0
            + s * s;
        assert!(close(value, want_value, 1e-14), "{value} vs {want_value}");
        let mut want_x: Vec<f64> = (0..3).map(|k| x[k].exp() * c[k]).collect();
        want_x[0] += 2.0 * x[0];
        want_x[1] += 2.0 * s * s * x[1];
        let want_s = a.sum() + 2.0 * s * x[1] * x[1] + 2.0 * s;
        for k in 0..3 {
            assert!(close(gx[k], want_x[k], 1e-13), "d/dx{k}: {} vs {}", gx[k], want_x[k]);
        }
        assert!(close(gs, want_s, 1e-13), "d/ds: {gs} vs {want_s}");
        let flat: Vec<f64> = x.iter().copied().chain([s]).collect();
        let g: Vec<f64> = gx.iter().copied().chain([gs]).collect();
        let f = |p: &[f64]| diagonals(&DVector::from_column_slice(&p[..3]), p[3]);
        gradient_central("diagonals", &f, &flat, &g, 1e-8);
        let v = common::direction(4, 5);
        let (_, tangent) = diagonals_jvp(&xv, s, DVector::from_column_slice(&v[..3]), v[3]);
        let (_, pullback) = diagonals_vjp(&xv, s);
        let (ux, us) = pullback(0.6);
        let g_u: Vec<f64> = ux.iter().copied().chain([us]).collect();
        forward_against_reverse("diagonals", tangent, &v, 0.6, &g_u, 1e-12);
        // The Hessian: diagonal in x but for (x₁, s), against central differences of `_grad`.
        let (_, _, h) = diagonals_hessian(&xv, s);
        let mut want = DMatrix::zeros(4, 4);
        for k in 0..3 {
            want[(k, k)] = x[k].exp() * c[k];
        }
        want[(0, 0)] += 2.0;
        want[(1, 1)] += 2.0 * s * s;
        (want[(1, 3)], want[(3, 1)]) = (4.0 * s * x[1], 4.0 * s * x[1]);
        want[(3, 3)] = 2.0 * x[1] * x[1] + 2.0;
        for r in 0..4 {
            let grad_r = |p: &[f64]| {
                let (_, (gx, gs)) = diagonals_grad(&DVector::from_column_slice(&p[..3]), p[3]);
                if r < 3 { gx[r] } else { gs }
            };
            for col in 0..4 {
                assert!(close(h[(r, col)], want[(r, col)], 1e-12), "H[{r},{col}] = {}", h[(r, col)]);
                let fd = common::central(&grad_r, &flat, col);
                assert!(close(h[(r, col)], fd, 1e-7), "H[{r},{col}] against {fd}");
            }
        }
    }
}

/// `a aᵀ` used twice: through its sum (differentiated) and as a constant preconditioner.
#[differentiable]
fn held_constant(a: &DVector<f64>, y: &DVector<f64>) -> f64 {
    let k = a * a.transpose();
    let b = tapeless::no_grad(k.clone()) * y;
    y.dot(&b) + k.sum()
}

#[test]
fn a_matrix_held_constant() {
    for (a, y) in [
        (vec![0.3, -0.5, 0.8], vec![1.0, 0.2, -0.4]),
        (vec![1.1, 0.4], vec![-0.3, 0.9]),
        (vec![0.2, 0.1, -0.7, 0.5], vec![0.6, -0.2, 0.3, 0.1]),
    ] {
        let (av, yv) = (DVector::from_column_slice(&a), DVector::from_column_slice(&y));
        let (_, (ga, gy)) = held_constant_grad(&av, &yv);
        // d/da of sum(a aᵀ) = 2 sum(a) in every entry; y enters as yᵀ K y with K constant: 2 K y.
        let s: f64 = a.iter().sum();
        let ky = &av * av.dot(&yv);
        for i in 0..a.len() {
            assert!(close(ga[i], 2.0 * s, 1e-13), "d/da{i}: {} vs {}", ga[i], 2.0 * s);
            assert!(close(gy[i], 2.0 * ky[i], 1e-13), "d/dy{i}: {} vs {}", gy[i], 2.0 * ky[i]);
        }
        // Central differences see through `no_grad` (the primal has no such cut), so they
        // check the derivative in `y` alone, where `K` does not move.
        let f = |p: &[f64]| held_constant(&av, &DVector::from_column_slice(p));
        gradient_central("held_constant", &f, &y, gy.as_slice(), 1e-8);
        let v = DVector::from_vec(common::direction(a.len(), 8));
        let w = DVector::from_vec(common::direction(a.len(), 9));
        let (_, tangent) = held_constant_jvp(&av, &yv, v.clone(), w.clone());
        let (_, pullback) = held_constant_vjp(&av, &yv);
        let (ua, uy) = pullback(1.5);
        let g_u: Vec<f64> = ua.iter().chain(uy.iter()).copied().collect();
        let dir: Vec<f64> = v.iter().chain(w.iter()).copied().collect();
        forward_against_reverse("held_constant", tangent, &dir, 1.5, &g_u, 1e-12);
    }
}

/// Squared distance from the origin of a point moved by a constant rigid motion.
#[differentiable(wrt(p))]
fn moved(iso: &Isometry3<f64>, p: &Point3<f64>) -> f64 {
    let q = iso * p;
    q.coords.norm_squared()
}

/// Height of a point rotated by a constant quaternion.
#[differentiable(wrt(p))]
fn rotated_height(r: &UnitQuaternion<f64>, p: &Point3<f64>) -> f64 {
    (r * p).z * p.x
}

#[test]
fn a_rigid_motion_of_a_point() {
    let iso = Isometry3::new(Vector3::new(0.5, -1.0, 2.0), Vector3::new(0.1, 0.2, 0.3));
    let r = iso.rotation;
    for p in [Point3::new(0.1, 0.2, 0.3), Point3::new(-1.0, 0.5, 2.0), Point3::new(3.0, -0.2, 0.0)] {
        // |R p + t|² has gradient 2 Rᵀ (R p + t).
        let (_, g) = moved_grad(&iso, &p);
        let exact = 2.0 * r.inverse_transform_vector(&(iso * p).coords);
        assert!((g - exact).norm() < 1e-13, "{g} vs {exact}");
        gradient_central(
            "moved",
            &|x| moved(&iso, &Point3::new(x[0], x[1], x[2])),
            p.coords.as_slice(),
            g.as_slice(),
            1e-8,
        );
        let v = Vector3::from_vec(common::direction(3, 2));
        let (_, tangent) = moved_jvp(&iso, &p, v);
        let (_, pullback) = moved_vjp(&iso, &p);
        forward_against_reverse("moved", tangent, v.as_slice(), 0.4, pullback(0.4).as_slice(), 1e-12);

        // (R p)_z p_x: gradient p_x (third row of R) + (R p)_z e_x.
        let (_, g) = rotated_height_grad(&r, &p);
        let row = r.to_rotation_matrix().matrix().row(2).transpose();
        let exact = row * p.x + Vector3::x() * (r * p).z;
        assert!((g - exact).norm() < 1e-13, "{g} vs {exact}");
        let at = |x: &[f64]| rotated_height(&r, &Point3::new(x[0], x[1], x[2]));
        gradient_central("rotated_height", &at, p.coords.as_slice(), g.as_slice(), 1e-8);
        let (_, tangent) = rotated_height_jvp(&r, &p, v);
        let (_, pullback) = rotated_height_vjp(&r, &p);
        forward_against_reverse(
            "rotated_height",
            tangent,
            v.as_slice(),
            0.4,
            pullback(0.4).as_slice(),
            1e-12,
        );
    }
}
