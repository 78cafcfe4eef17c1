//! `#[differentiable(jacobian)]`: every `_jacobian` against an analytic Jacobian, central
//! differences, columns from `_jvp` and rows from `_vjp`, in both of its modes (forward when
//! inputs <= outputs, reverse otherwise), at three points or more.

mod common;

use common::{check_jacobian as check, close};
use nalgebra::{DMatrix, DVector, SVector};
use tapeless::differentiable;

// ---- Least-squares residuals with nalgebra: more outputs than inputs (forward mode).

/// `r_i = a e^(-k t_i) + c - y_i`.
#[differentiable(jacobian, wrt(p))]
fn residuals(p: &SVector<f64, 3>, t: &DVector<f64>, y: &DVector<f64>) -> DVector<f64> {
    let model = (t * -p[1]).map(|e| e.exp()) * p[0];
    model.add_scalar(p[2]) - y
}

#[test]
fn least_squares_residuals_of_a_static_vector() {
    let t = DVector::from_fn(100, |i, _| i as f64 * 0.05);
    let y = t.map(|ti| 1.5 * (-0.8 * ti).exp() + 0.2 + 0.01 * (7.0 * ti).sin());
    for p in [
        SVector::<f64, 3>::new(2.0, 0.5, 0.1),
        SVector::<f64, 3>::new(1.4, 0.9, -0.3),
        SVector::<f64, 3>::new(0.7, 1.6, 0.0),
    ] {
        let (r, j) = residuals_jacobian(&p, &t, &y);
        assert_eq!(r, residuals(&p, &t, &y));
        let exact = DMatrix::from_fn(100, 3, |i, c| {
            let e = (-p[1] * t[i]).exp();
            [e, -p[0] * t[i] * e, 1.0][c]
        });
        check(
            "residuals",
            &j,
            &exact,
            &|q| residuals(&SVector::from_column_slice(q), &t, &y).as_slice().to_vec(),
            p.as_slice(),
        );
        // Columns are `_jvp` along the axes, rows `_vjp` of the unit cotangents.
        for c in 0..3 {
            let (_, column) = residuals_jvp(&p, &t, &y, SVector::ith(c, 1.0));
            assert_eq!(column.as_slice(), j.column(c).iter().copied().collect::<Vec<_>>().as_slice());
        }
        for row in [0, 41, 99] {
            let (_, pullback) = residuals_vjp(&p, &t, &y);
            let g = pullback(DVector::from_fn(100, |i, _| if i == row { 1.0 } else { 0.0 }));
            for c in 0..3 {
                assert!(close(g[c], j[(row, c)], 1e-14), "row {row} from _vjp");
            }
        }
    }
}

// ---- More inputs than outputs (reverse mode), a tuple result.

#[differentiable(jacobian)]
fn moments(x: &[f64]) -> (f64, f64) {
    let mut s = 0.0;
    let mut q = 0.0;
    for v in x {
        s += v;
        q += v * v;
    }
    (s, q.sqrt())
}

#[test]
fn moments_of_a_slice_in_reverse_mode() {
    for x in [vec![1.0, 2.0, 2.0], vec![-0.5, 0.25, 3.0, 1.5], vec![0.3, -0.7, 0.1, 0.9, -1.2]] {
        let n = x.len();
        let (value, j) = moments_jacobian(&x);
        assert_eq!(value, moments(&x));
        let norm = value.1;
        let exact = DMatrix::from_fn(2, n, |r, c| if r == 0 { 1.0 } else { x[c] / norm });
        check(
            "moments",
            &j,
            &exact,
            &|q| {
                let (a, b) = moments(q);
                vec![a, b]
            },
            &x,
        );
        for c in 0..n {
            let (_, (ds, dq)) = moments_jvp(&x, (0..n).map(|i| if i == c { 1.0 } else { 0.0 }).collect());
            assert!(close(ds, j[(0, c)], 1e-14) && close(dq, j[(1, c)], 1e-14), "column {c} from _jvp");
        }
    }
}

// ---- Floats in, an array out: as many outputs as inputs (forward mode).

#[differentiable(jacobian)]
fn polar(r: f64, theta: f64) -> [f64; 2] {
    [r * theta.cos(), r * theta.sin()]
}

#[test]
fn polar_coordinates() {
    for (r, theta) in [(1.0_f64, 0.3_f64), (2.5, -1.2), (0.4, 2.9)] {
        let (value, j) = polar_jacobian(r, theta);
        assert_eq!(value, polar(r, theta));
        let exact =
            DMatrix::from_row_slice(2, 2, &[theta.cos(), -r * theta.sin(), theta.sin(), r * theta.cos()]);
        check("polar", &j, &exact, &|q| polar(q[0], q[1]).to_vec(), &[r, theta]);
        let (_, pullback) = polar_vjp(r, theta);
        let (dr, dtheta) = pullback([0.0, 1.0]);
        assert!(close(dr, j[(1, 0)], 1e-14) && close(dtheta, j[(1, 1)], 1e-14), "row 1 from _vjp");
    }
}

// ---- The benchmarked fit: 100 residuals of 5 parameters, against the hand-written Jacobian.

#[test]
fn fit_residuals_match_the_hand_written_jacobian() {
    use common::functions;
    let (p, t, y) = functions::fit_inputs();
    for p in [p, [1.0, 0.9, 0.4, 1.5, 0.3], [2.0, 0.2, -0.3, 3.1, -0.7]] {
        let (r, j) = functions::fit_residuals_jacobian(&p, &t, &y);
        let (hr, hj) = functions::fit_residuals_hand(&p, &t, &y);
        assert_eq!(r, functions::fit_residuals(&p, &t, &y));
        for i in 0..100 {
            assert!(close(r[i], hr[i], 1e-14));
        }
        check("fit", &j, &hj, &|q| functions::fit_residuals(&[q[0], q[1], q[2], q[3], q[4]], &t, &y), &p);
    }
}

// ---- Generic over `T: Float` (its Jacobian at `f64`) and const-generic.

use num_traits::Float;

/// Residuals of a circle fit, written generically: `r_i = |p_i - c| - radius`.
#[differentiable(jacobian, wrt(circle))]
fn circle_residuals<T: Float>(circle: &[T; 3], points: &[[T; 2]]) -> Vec<T> {
    points
        .iter()
        .map(|p| ((p[0] - circle[0]).powi(2) + (p[1] - circle[1]).powi(2)).sqrt() - circle[2])
        .collect::<Vec<T>>()
}

/// A map of `N` inputs to `N` outputs, `y_i = x_i² + x_{i+1}` (cyclic).
#[differentiable(jacobian)]
fn cyclic<const N: usize>(x: &[f64; N]) -> [f64; N] {
    let mut y = [0.0; N];
    for i in 0..N {
        y[i] = x[i] * x[i] + x[(i + 1) % N];
    }
    y
}

#[test]
fn generic_and_const_generic_functions() {
    let points = [[1.0, 0.2], [-0.5, 1.1], [0.3, -0.9], [1.4, 1.0]];
    for c in [[0.1, 0.2, 1.0], [-0.3, 0.4, 0.7], [0.5, -0.1, 1.3]] {
        let (r, j) = circle_residuals_jacobian(&c, &points);
        assert_eq!(r, circle_residuals(&c, &points));
        let exact = DMatrix::from_fn(4, 3, |i, k| {
            let (dx, dy) = (points[i][0] - c[0], points[i][1] - c[1]);
            let d = (dx * dx + dy * dy).sqrt();
            [-dx / d, -dy / d, -1.0][k]
        });
        check("circle", &j, &exact, &|q| circle_residuals(&[q[0], q[1], q[2]], &points), &c);
        // Forward against reverse: a column from `_jvp`, a row from `_vjp`.
        let (_, column) = circle_residuals_jvp(&c, &points, [0.0, 1.0, 0.0]);
        let (_, pullback) = circle_residuals_vjp(&c, &points);
        let row = pullback(vec![0.0, 0.0, 1.0, 0.0]);
        for i in 0..4 {
            assert!(close(column[i], j[(i, 1)], 1e-14), "column 1 from _jvp");
        }
        for k in 0..3 {
            assert!(close(row[k], j[(2, k)], 1e-14), "row 2 from _vjp");
        }
    }
    for x in [[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [0.0, 1.0, 0.25]] {
        let (y, j) = cyclic_jacobian(&x);
        assert_eq!(y, cyclic(&x));
        let exact = DMatrix::from_fn(3, 3, |i, k| {
            if k == i {
                2.0 * x[i]
            } else if k == (i + 1) % 3 {
                1.0
            } else {
                0.0
            }
        });
        check("cyclic", &j, &exact, &|q| cyclic(&[q[0], q[1], q[2]]).to_vec(), &x);
    }
}

// ---- A slice of points in: numbered point by point; reverse mode for a short result, forward
// mode for a long one.

/// The lengths of the segments between consecutive points.
#[differentiable(jacobian)]
fn segment_lengths(ps: &[nalgebra::Vector3<f64>]) -> Vec<f64> {
    let mut out = Vec::new();
    for i in 1..ps.len() {
        out.push((ps[i] - ps[i - 1]).norm());
    }
    out
}

/// The squared distances of every point to the first one and the points' `x` coordinates: more
/// outputs than inputs for three points or more.
#[differentiable(jacobian)]
fn spread(ps: Vec<nalgebra::Vector3<f64>>) -> Vec<f64> {
    let mut out = Vec::new();
    for p in &ps {
        out.push((p - ps[0]).norm_squared());
        out.push(p.x * p.y);
        out.push(p.z.sin());
    }
    out
}

#[test]
fn a_slice_of_points_numbered_point_by_point() {
    let points = |z: &[f64]| -> Vec<nalgebra::Vector3<f64>> {
        z.chunks(3).map(nalgebra::Vector3::from_column_slice).collect()
    };
    for z in [
        vec![0.0, 0.0, 0.0, 1.0, 0.5, 0.0, 1.5, 1.5, 0.2],
        vec![0.3, -0.2, 0.9, 1.1, 0.4, -0.5, -0.6, 0.8, 0.1, 2.0, 1.0, 1.0],
        vec![1.0, 2.0, 3.0, -1.0, 0.5, 0.25],
    ] {
        let ps = points(&z);
        let (m, n) = (ps.len() - 1, z.len());
        let (value, j) = segment_lengths_jacobian(&ps);
        assert_eq!(value, segment_lengths(&ps));
        let mut exact = DMatrix::zeros(m, n);
        for i in 1..ps.len() {
            let u = (ps[i] - ps[i - 1]).normalize();
            for a in 0..3 {
                exact[(i - 1, 3 * i + a)] = u[a];
                exact[(i - 1, 3 * (i - 1) + a)] = -u[a];
            }
        }
        check("segment_lengths", &j, &exact, &|q| segment_lengths(&points(q)), &z);
        // Each row is a VJP, each column a JVP.
        let (_, pullback) = segment_lengths_vjp(&ps);
        let row: Vec<f64> = pullback((0..m).map(|r| if r == 0 { 1.0 } else { 0.0 }).collect())
            .iter()
            .flat_map(|p| p.iter().copied())
            .collect();
        for c in 0..n {
            assert!(close(row[c], j[(0, c)], 1e-14), "row 0, column {c} from _vjp");
        }
        let (value, j) = spread_jacobian(ps.clone());
        assert_eq!(value, spread(ps.clone()));
        let mut exact = DMatrix::zeros(3 * ps.len(), n);
        for (k, p) in ps.iter().enumerate() {
            let d = p - ps[0];
            for a in 0..3 {
                exact[(3 * k, 3 * k + a)] += 2.0 * d[a];
                exact[(3 * k, a)] -= 2.0 * d[a];
            }
            exact[(3 * k + 1, 3 * k)] = p.y;
            exact[(3 * k + 1, 3 * k + 1)] = p.x;
            exact[(3 * k + 2, 3 * k + 2)] = p.z.cos();
        }
        check("spread", &j, &exact, &|q| spread(points(q)), &z);
        let unit = |c: usize| points(&(0..n).map(|i| if i == c { 1.0 } else { 0.0 }).collect::<Vec<f64>>());
        for c in 0..n {
            let (_, column) = spread_jvp(ps.clone(), unit(c));
            for r in 0..3 * ps.len() {
                assert!(close(column[r], j[(r, c)], 1e-14), "column {c}, row {r} from _jvp");
            }
        }
    }
}

// ---- Associated functions: their `_jacobian` calls `Self::f_jvp`/`Self::f_vjp` (a bare call
// was rustc's "cannot find function" inside generated code until the forty-seventh session).

pub struct Kinematics;

#[differentiable(jacobian)]
impl Kinematics {
    /// A two-link arm's tip, links of lengths 1 and 0.5: two inputs, two outputs (forward mode).
    pub fn tip(q: &[f64]) -> [f64; 2] {
        let (a, b) = (q[0], q[0] + q[1]);
        [a.cos() + 0.5 * b.cos(), a.sin() + 0.5 * b.sin()]
    }
}

pub struct Stats;

impl Stats {
    /// Sum and product of three inputs: more inputs than outputs (reverse mode). The block has
    /// no attribute: the prescan found the function in it.
    #[differentiable(jacobian)]
    pub fn sum_product(x: &[f64; 3]) -> (f64, f64) {
        (x[0] + x[1] + x[2], x[0] * x[1] * x[2])
    }
}

#[test]
fn associated_functions() {
    for q in [[0.3, 1.1], [-1.2, 0.4], [2.0, -2.5]] {
        let (value, j) = Kinematics::tip_jacobian(&q);
        assert_eq!(value, Kinematics::tip(&q));
        let (a, b) = (q[0], q[0] + q[1]);
        let exact = DMatrix::from_row_slice(
            2,
            2,
            &[-a.sin() - 0.5 * b.sin(), -0.5 * b.sin(), a.cos() + 0.5 * b.cos(), 0.5 * b.cos()],
        );
        check("tip", &j, &exact, &|p| Kinematics::tip(p).to_vec(), &q);
        let (_, pullback) = Kinematics::tip_vjp(&q);
        let row = pullback([1.0, 0.0]);
        assert!(close(row[0], j[(0, 0)], 1e-14) && close(row[1], j[(0, 1)], 1e-14), "tip row 0 from _vjp");
    }
    for x in [[1.0, 2.0, 3.0], [-0.5, 0.25, 4.0], [0.3, -0.7, 0.1]] {
        let (value, j) = Stats::sum_product_jacobian(&x);
        assert_eq!(value, Stats::sum_product(&x));
        let exact = DMatrix::from_row_slice(2, 3, &[1.0, 1.0, 1.0, x[1] * x[2], x[0] * x[2], x[0] * x[1]]);
        let f = |p: &[f64]| {
            let (s, m) = Stats::sum_product(&[p[0], p[1], p[2]]);
            vec![s, m]
        };
        check("sum_product", &j, &exact, &f, &x);
        for c in 0..3 {
            let (_, (ds, dm)) =
                Stats::sum_product_jvp(&x, std::array::from_fn(|i| if i == c { 1.0 } else { 0.0 }));
            assert!(close(ds, j[(0, c)], 1e-14) && close(dm, j[(1, c)], 1e-14), "column {c} from _jvp");
        }
    }
}

// ---- Methods of a block generic over its float: `_jacobian` takes `f64`s and goes in a block
// for `Arm<f64>` (rustc's errors inside generated code until the forty-seventh session, the
// associated function's `_vjp` too: its `use<..>` did not list the block's `T`).

pub struct Arm<T> {
    pub first: T,
    pub second: T,
}

#[differentiable]
impl<T: num_traits::Float> Arm<T> {
    /// The tip of a two-link arm of the receiver's lengths (differentiated: the angles only).
    #[differentiable(jacobian, wrt(q))]
    pub fn tip(&self, q: &[T; 2]) -> [T; 2] {
        let b = q[0] + q[1];
        [self.first * q[0].cos() + self.second * b.cos(), self.first * q[0].sin() + self.second * b.sin()]
    }

    /// The same with unit lengths, as an associated function.
    #[differentiable(jacobian)]
    pub fn unit_tip(q: &[T; 2]) -> [T; 2] {
        let b = q[0] + q[1];
        [q[0].cos() + b.cos(), q[0].sin() + b.sin()]
    }
}

#[test]
fn methods_of_a_generic_block() {
    let arm = Arm { first: 1.0, second: 0.5 };
    for q in [[0.3, 1.1], [-1.2, 0.4], [2.0, -2.5]] {
        let (a, b) = (q[0], q[0] + q[1]);
        for (l1, l2, (value, j)) in
            [(1.0, 0.5, arm.tip_jacobian(&q)), (1.0, 1.0, Arm::<f64>::unit_tip_jacobian(&q))]
        {
            let exact = DMatrix::from_row_slice(
                2,
                2,
                &[-l1 * a.sin() - l2 * b.sin(), -l2 * b.sin(), l1 * a.cos() + l2 * b.cos(), l2 * b.cos()],
            );
            let f = |p: &[f64]| {
                let b = p[0] + p[1];
                vec![l1 * p[0].cos() + l2 * b.cos(), l1 * p[0].sin() + l2 * b.sin()]
            };
            assert_eq!(value.to_vec(), f(&q));
            check("tip", &j, &exact, &f, &q);
        }
        let (_, pullback) = arm.tip_vjp(&q);
        let row = pullback([0.0, 1.0]);
        let j = arm.tip_jacobian(&q).1;
        assert!(close(row[0], j[(1, 0)], 1e-14) && close(row[1], j[(1, 1)], 1e-14), "tip row 1 from _vjp");
        let (_, pullback) = Arm::<f64>::unit_tip_vjp(&q);
        let row = pullback([1.0, 0.0]);
        let j = Arm::<f64>::unit_tip_jacobian(&q).1;
        assert!(
            close(row[0], j[(0, 0)], 1e-14) && close(row[1], j[(0, 1)], 1e-14),
            "unit_tip row 0 from _vjp"
        );
    }
}
