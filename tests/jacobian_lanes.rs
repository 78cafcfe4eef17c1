//! `_jacobian` in forward mode with several directions per sweep (`_jvp_lanes`): branches,
//! loops carrying state, iterator sums, more columns than one sweep holds, a width told by the
//! types, and a method. Each Jacobian is checked against an analytic one and central
//! differences, and forward against reverse: its columns against `_jvp` along the axes and its
//! rows against `_vjp` of unit cotangents.

mod common;

use common::{check_jacobian as check, close, jacobian_central};
use nalgebra::DMatrix;
use tapeless::differentiable;

/// Columns of `j` against `jvp` along each axis, rows against `vjp` of each unit cotangent.
fn forward_and_reverse(
    name: &str,
    j: &DMatrix<f64>,
    jvp: &dyn Fn(usize) -> Vec<f64>,
    vjp: &dyn Fn(usize) -> Vec<f64>,
) {
    for c in 0..j.ncols() {
        let column = jvp(c);
        for r in 0..j.nrows() {
            assert!(close(column[r], j[(r, c)], 1e-14), "{name}: J[{r},{c}] vs _jvp column {}", column[r]);
        }
    }
    for r in 0..j.nrows() {
        let row = vjp(r);
        for c in 0..j.ncols() {
            assert!(close(row[c], j[(r, c)], 1e-13), "{name}: J[{r},{c}] vs _vjp row {}", row[c]);
        }
    }
}

fn unit(n: usize, i: usize) -> Vec<f64> {
    (0..n).map(|k| if k == i { 1.0 } else { 0.0 }).collect()
}

// ---- Branches and an iterator sum, 12 inputs and 24 outputs: two sweeps of 8 and 4 columns.

#[differentiable(jacobian)]
fn neighbours(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let total: f64 = x.iter().sum();
    let mut y = vec![0.0; 2 * n];
    for i in 0..n {
        let (a, b) = (x[i], x[(i + 1) % n]);
        y[2 * i] = if tapeless::piecewise(a > 0.0) { a * b } else { a.sin() - b / 2.0 };
        y[2 * i + 1] = (a - b).exp() + total / (n as f64);
    }
    y
}

fn neighbours_exact(x: &[f64]) -> DMatrix<f64> {
    let n = x.len();
    DMatrix::from_fn(2 * n, n, |r, c| {
        let (i, next) = (r / 2, (r / 2 + 1) % n);
        let (a, b) = (x[i], x[next]);
        let mut d = 0.0;
        if r % 2 == 0 {
            if c == i {
                d += if a > 0.0 { b } else { a.cos() };
            }
            if c == next {
                d += if a > 0.0 { a } else { -0.5 };
            }
        } else {
            let e = (a - b).exp();
            d += 1.0 / n as f64;
            if c == i {
                d += e;
            }
            if c == next {
                d -= e;
            }
        }
        d
    })
}

#[test]
fn more_columns_than_one_sweep_holds() {
    for seed in [0.3, -0.45, 1.1] {
        let x: Vec<f64> = (0..12).map(|i| ((i as f64 + 1.0) * seed).sin()).collect();
        let (y, j) = neighbours_jacobian(&x);
        assert_eq!(y, neighbours(&x));
        check("neighbours", &j, &neighbours_exact(&x), &neighbours, &x);
        forward_and_reverse("neighbours", &j, &|c| neighbours_jvp(&x, unit(12, c)).1, &|r| {
            neighbours_vjp(&x).1(unit(24, r))
        });
    }
}

// ---- More inputs than sweeps would pay for: 20 inputs, 2 outputs, so reverse mode.

#[differentiable(jacobian)]
fn spread(x: &[f64]) -> (f64, f64) {
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    let mut s = 0.0;
    for v in x {
        s += (v - mean) * (v - mean);
    }
    (mean, s)
}

#[test]
fn few_outputs_use_reverse_mode_and_many_inputs_agree() {
    for n in [3, 20] {
        let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).cos()).collect();
        let (value, j) = spread_jacobian(&x);
        assert_eq!(value, spread(&x));
        let mean = value.0;
        let exact = DMatrix::from_fn(2, n, |r, c| if r == 0 { 1.0 / n as f64 } else { 2.0 * (x[c] - mean) });
        let f = |q: &[f64]| {
            let (a, b) = spread(q);
            vec![a, b]
        };
        check("spread", &j, &exact, &f, &x);
        forward_and_reverse(
            "spread",
            &j,
            &|c| {
                let (a, b) = spread_jvp(&x, unit(n, c)).1;
                vec![a, b]
            },
            &|r| spread_vjp(&x).1((if r == 0 { 1.0 } else { 0.0 }, if r == 1 { 1.0 } else { 0.0 })),
        );
    }
}

// ---- A width told by the types (`[f64; 3]` and an `f64`: 4 lanes), a loop carrying state.

/// A planar arm of three unit links at joint angles `q`, scaled: the hand's position.
#[differentiable(jacobian)]
fn arm(q: [f64; 3], scale: f64) -> [f64; 2] {
    let (mut x, mut y, mut angle) = (0.0, 0.0, 0.0);
    for joint in q {
        angle += joint;
        x += angle.cos();
        y += angle.sin();
    }
    [scale * x, scale * y]
}

#[test]
fn a_width_from_the_types_and_a_loop_carrying_state() {
    for (q, scale) in [([0.3, -0.5, 0.9], 1.0), ([1.2, 0.4, -2.0], 0.5), ([-0.1, 2.2, 0.7], 2.0)] {
        let (p, j) = arm_jacobian(q, scale);
        assert_eq!(p, arm(q, scale));
        let angles = [q[0], q[0] + q[1], q[0] + q[1] + q[2]];
        let exact = DMatrix::from_fn(2, 4, |r, c| {
            if c == 3 {
                return p[r] / scale;
            }
            // Joint `c` moves every link from `c` on.
            let terms = angles[c..].iter();
            scale * if r == 0 { -terms.map(|a| a.sin()).sum::<f64>() } else { terms.map(|a| a.cos()).sum() }
        });
        let f = |v: &[f64]| arm([v[0], v[1], v[2]], v[3]).to_vec();
        check("arm", &j, &exact, &f, &[q[0], q[1], q[2], scale]);
        forward_and_reverse(
            "arm",
            &j,
            &|c| {
                let u = unit(4, c);
                arm_jvp(q, scale, [u[0], u[1], u[2]], u[3]).1.to_vec()
            },
            &|r| {
                let (dq, ds) = arm_vjp(q, scale).1(if r == 0 { [1.0, 0.0] } else { [0.0, 1.0] });
                vec![dq[0], dq[1], dq[2], ds]
            },
        );
    }
}

// ---- An explicit Euler integration, a trajectory of 30 states from 2 parameters, in a method;
// and the same reading the field untyped, which takes one `_jvp` per column.

struct Decay {
    step: f64,
}

#[differentiable]
impl Decay {
    /// `y' = -k y` from `y0`, `steps` Euler steps of `self.step`.
    #[differentiable(jacobian, wrt(k, y0))]
    fn trajectory(&self, k: f64, y0: f64, steps: usize) -> Vec<f64> {
        // Typed, so the macro knows the field is a float and sweeps in lanes (a field of a type
        // it cannot see could be a vector: then one `_jvp` per column).
        let h: f64 = self.step;
        let mut y = y0;
        let mut out = Vec::new();
        for _ in 0..steps {
            y += h * (-k * y);
            out.push(y);
        }
        out
    }
}

#[differentiable(jacobian, wrt(k, y0))]
fn trajectory_of(model: &Decay, k: f64, y0: f64, steps: usize) -> Vec<f64> {
    let mut y = y0;
    let mut out = Vec::new();
    for _ in 0..steps {
        y += model.step * (-k * y);
        out.push(y);
    }
    out
}

#[test]
fn a_trajectory_in_a_method() {
    let model = Decay { step: 0.05 };
    for (k, y0) in [(0.8, 1.0), (2.0, -0.5), (0.1, 3.0)] {
        let (ys, j) = model.trajectory_jacobian(k, y0, 30);
        assert_eq!(ys, model.trajectory(k, y0, 30));
        // y_t = y0 (1 - h k)^t.
        let (h, base) = (model.step, 1.0 - model.step * k);
        let exact = DMatrix::from_fn(30, 2, |t, c| {
            let t = t as i32 + 1;
            if c == 0 { y0 * t as f64 * base.powi(t - 1) * -h } else { base.powi(t) }
        });
        check("trajectory", &j, &exact, &|v| model.trajectory(v[0], v[1], 30), &[k, y0]);
        let (ys_of, j_of) = trajectory_of_jacobian(&model, k, y0, 30);
        assert_eq!((&ys_of, &j_of), (&ys, &j), "the per-column Jacobian");
        forward_and_reverse(
            "trajectory",
            &j,
            &|c| model.trajectory_jvp(k, y0, 30, f64::from(c == 0), f64::from(c == 1)).1,
            &|r| {
                let (dk, dy0) = model.trajectory_vjp(k, y0, 30).1(unit(30, r));
                vec![dk, dy0]
            },
        );
    }
}

// ---- nalgebra values read and written by index: a static vector parameter, a `DVector` of
// residuals (the README's least-squares residuals), a static matrix in and a vector out.

use nalgebra::{DVector, Matrix2, Vector2, Vector3};

#[differentiable(jacobian, wrt(p))]
fn decay_residuals(p: &Vector3<f64>, t: &[f64], y: &[f64]) -> DVector<f64> {
    let mut r = DVector::<f64>::zeros(t.len());
    for i in 0..t.len() {
        r[i] = p[0] * (-p[1] * t[i]).exp() + p[2] - y[i];
    }
    r
}

/// `M v` of `v = (1, s)` and the determinant, written entry by entry.
#[differentiable(jacobian)]
fn entries(m: &Matrix2<f64>, s: f64) -> Vector3<f64> {
    let mut out = Vector3::zeros();
    out[0] = m[(0, 0)] + m[(0, 1)] * s;
    out[1] = m[(1, 0)] + m[(1, 1)] * s;
    out[2] = m[(0, 0)] * m[(1, 1)] - m[(0, 1)] * m[(1, 0)];
    out
}

#[test]
fn nalgebra_values_by_index() {
    let t: Vec<f64> = (0..40).map(|i| i as f64 * 0.1).collect();
    let y: Vec<f64> = t.iter().map(|ti| 1.5 * (-0.8 * ti).exp() + 0.2).collect();
    for p in [Vector3::new(2.0, 0.5, 0.1), Vector3::new(1.4, 0.9, -0.3), Vector3::new(0.7, 1.6, 0.0)] {
        let (r, j) = decay_residuals_jacobian(&p, &t, &y);
        assert_eq!(r, decay_residuals(&p, &t, &y));
        let exact = DMatrix::from_fn(40, 3, |i, c| {
            let e = (-p[1] * t[i]).exp();
            [e, -p[0] * t[i] * e, 1.0][c]
        });
        let f = |q: &[f64]| decay_residuals(&Vector3::from_column_slice(q), &t, &y).as_slice().to_vec();
        check("decay_residuals", &j, &exact, &f, p.as_slice());
        forward_and_reverse(
            "decay_residuals",
            &j,
            &|c| decay_residuals_jvp(&p, &t, &y, Vector3::ith(c, 1.0)).1.as_slice().to_vec(),
            &|r| decay_residuals_vjp(&p, &t, &y).1(DVector::from_vec(unit(40, r))).as_slice().to_vec(),
        );
    }
    for (m, s) in [(Matrix2::new(1.0, 2.0, 3.0, 4.0), 0.5), (Matrix2::new(-0.3, 0.8, 1.1, 0.2), -2.0)] {
        let (v, j) = entries_jacobian(&m, s);
        assert_eq!(v, entries(&m, s));
        // Scalars in storage order: m00, m10, m01, m11, s.
        let exact = DMatrix::from_row_slice(
            3,
            5,
            &[
                1.0,
                0.0,
                s,
                0.0,
                m[(0, 1)], //
                0.0,
                1.0,
                0.0,
                s,
                m[(1, 1)], //
                m[(1, 1)],
                -m[(0, 1)],
                -m[(1, 0)],
                m[(0, 0)],
                0.0,
            ],
        );
        let f = |q: &[f64]| entries(&Matrix2::from_column_slice(&q[..4]), q[4]).as_slice().to_vec();
        let at = [m[(0, 0)], m[(1, 0)], m[(0, 1)], m[(1, 1)], s];
        check("entries", &j, &exact, &f, &at);
        forward_and_reverse(
            "entries",
            &j,
            &|c| {
                let u = unit(5, c);
                entries_jvp(&m, s, Matrix2::from_column_slice(&u[..4]), u[4]).1.as_slice().to_vec()
            },
            &|r| {
                let (dm, ds) = entries_vjp(&m, s).1(Vector3::from_column_slice(&unit(3, r)));
                let mut row = dm.as_slice().to_vec();
                row.push(ds);
                row
            },
        );
    }
}

// ---- A vector times an active float, and a vector read from an array: one `_jvp` per column
// (a lane sweep would multiply a vector of lanes by a float), still right.

#[differentiable(jacobian, wrt(s, x))]
fn stretched(s: f64, x: &[f64], base: &Vector2<f64>, corners: &[Vector2<f64>]) -> Vec<f64> {
    let far = base * s;
    let corner = corners[1] * x[0];
    vec![far[0] + corner[0], far[1] * x[1]]
}

#[test]
fn vectors_times_floats_fall_back_to_columns() {
    let (base, corners) = (Vector2::new(1.0, 2.0), [Vector2::new(0.5, 0.5), Vector2::new(-1.0, 3.0)]);
    for (s, x) in [(0.5, [1.0, -2.0]), (2.0, [0.3, 0.4])] {
        let (v, j) = stretched_jacobian(s, &x, &base, &corners);
        assert_eq!(v, stretched(s, &x, &base, &corners));
        let exact = DMatrix::from_row_slice(2, 3, &[1.0, -1.0, 0.0, 2.0 * x[1], 0.0, 2.0 * s]);
        let f = |q: &[f64]| stretched(q[0], &q[1..], &base, &corners);
        check("stretched", &j, &exact, &f, &[s, x[0], x[1]]);
        forward_and_reverse(
            "stretched",
            &j,
            &|c| {
                let u = unit(3, c);
                stretched_jvp(s, &x, &base, &corners, u[0], u[1..].to_vec()).1
            },
            &|r| {
                let (ds, dx) = stretched_vjp(s, &x, &base, &corners).1(unit(2, r));
                vec![ds, dx[0], dx[1]]
            },
        );
    }
}

// ---- Generic over `T: Float`, with constants of `T` (`T::one()`, `T::from(..).unwrap()`): the
// sweep is the generic copy at `T = f64`.

use num_traits::Float;

/// A logistic growth curve `a / (1 + e^(-k (t - m)))`, halved.
#[differentiable(jacobian, wrt(p))]
fn growth<T: Float>(p: &[T; 3], t: &[T]) -> Vec<T> {
    let half = T::from(0.5).unwrap();
    t.iter().map(|&ti| half * p[0] / (T::one() + (-p[1] * (ti - p[2])).exp())).collect::<Vec<T>>()
}

#[test]
fn a_generic_function_with_constants_of_its_float_type() {
    let t: Vec<f64> = (0..25).map(|i| i as f64 * 0.4 - 4.0).collect();
    for p in [[2.0, 1.5, 0.3], [1.0, 0.4, -1.0], [3.5, 2.2, 1.7]] {
        let (y, j) = growth_jacobian(&p, &t);
        assert_eq!(y, growth(&p, &t));
        let exact = DMatrix::from_fn(25, 3, |i, c| {
            let e = (-p[1] * (t[i] - p[2])).exp();
            let s = 1.0 / (1.0 + e);
            // d/da = s / 2, d/dk = a s² e (t - m) / 2, d/dm = -a s² e k / 2.
            0.5 * [s, p[0] * s * s * e * (t[i] - p[2]), -p[0] * s * s * e * p[1]][c]
        });
        let f = |q: &[f64]| growth(&[q[0], q[1], q[2]], &t);
        check("growth", &j, &exact, &f, &p);
        forward_and_reverse(
            "growth",
            &j,
            &|c| {
                let u = unit(3, c);
                growth_jvp(&p, &t, [u[0], u[1], u[2]]).1
            },
            &|r| growth_vjp(&p, &t).1(unit(25, r)).to_vec(),
        );
    }
}

// ---- Idioms in lane sweeps: pushes, `enumerate`, `zip` and `rev`, a `while` loop, `loop` with
// `break`, `max`/`hypot`/`atan2`/`mul_add`, `copy_from_slice` and `swap`, a local closure and
// `product`. Each against central differences and forward against reverse.

#[differentiable(jacobian)]
fn running(x: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    let mut acc = 0.0;
    for (i, v) in x.iter().enumerate() {
        acc += v * (i as f64 + 1.0);
        out.push(acc.tanh() + v.powi(3));
    }
    out
}

#[differentiable(jacobian)]
fn mixed(x: [f64; 4]) -> (f64, [f64; 2]) {
    let m = x[0].max(x[1]);
    let s = x.iter().fold(0.0, |s, v| s + v * v);
    let mut k = 0;
    let mut w = x[0];
    while k < 3 {
        w = w * 0.5 + x[3].sin();
        k += 1;
    }
    (m + x[2].hypot(x[3]), [x[1].atan2(x[2]) * s, w.mul_add(2.0, x[0])])
}

#[differentiable(jacobian)]
fn smoothed(x: &[f64], scale: f64) -> Vec<f64> {
    let mut y = x.to_vec();
    for i in 1..x.len() {
        y[i] = y[i - 1] * 0.5 + y[i] * scale;
    }
    let mut i = 0;
    loop {
        if i >= y.len() {
            break;
        }
        y[i] = y[i] / (1.0 + y[i] * y[i]).sqrt();
        i += 1;
    }
    y.iter().rev().zip(x.iter()).map(|(a, b)| a * b - scale.exp()).collect()
}

#[differentiable(jacobian)]
fn shuffled(x: &[f64]) -> (Vec<f64>, f64) {
    let mut w = [0.0; 3];
    w.copy_from_slice(&x[..3]);
    w.swap(0, 2);
    let g = |u: f64, v: f64| u * v.exp();
    (vec![g(w[0], w[1]), w[2] - x[3]], x.iter().product::<f64>())
}

#[test]
fn idioms_in_lane_sweeps() {
    let x: Vec<f64> = (0..11).map(|i| 0.3 + 0.1 * i as f64).collect();
    let (_, j) = running_jacobian(&x);
    jacobian_central("running", &j, &running, &x);
    forward_and_reverse("running", &j, &|c| running_jvp(&x, unit(11, c)).1, &|r| {
        running_vjp(&x).1(unit(11, r))
    });

    let x4 = [0.4, 0.7, -0.2, 1.3];
    let (_, j) = mixed_jacobian(x4);
    let flat = |(a, b): (f64, [f64; 2])| vec![a, b[0], b[1]];
    jacobian_central("mixed", &j, &|q| flat(mixed([q[0], q[1], q[2], q[3]])), &x4);
    forward_and_reverse(
        "mixed",
        &j,
        &|c| {
            let u = unit(4, c);
            flat(mixed_jvp(x4, [u[0], u[1], u[2], u[3]]).1)
        },
        &|r| {
            let u = unit(3, r);
            mixed_vjp(x4).1((u[0], [u[1], u[2]])).to_vec()
        },
    );

    let xv = vec![0.5, -0.3, 0.8, 1.1, 0.2, -0.9, 0.4, 0.6, 1.5];
    let (_, j) = smoothed_jacobian(&xv, 0.7);
    jacobian_central("smoothed", &j, &|q| smoothed(&q[..9], q[9]), &[xv.clone(), vec![0.7]].concat());
    forward_and_reverse(
        "smoothed",
        &j,
        &|c| {
            let u = unit(10, c);
            smoothed_jvp(&xv, 0.7, u[..9].to_vec(), u[9]).1
        },
        &|r| {
            let (dx, ds) = smoothed_vjp(&xv, 0.7).1(unit(9, r));
            [dx, vec![ds]].concat()
        },
    );

    let x5 = [0.6, 1.4, 0.9, -0.3, 0.8];
    let (_, j) = shuffled_jacobian(&x5);
    let flat = |(v, p): (Vec<f64>, f64)| vec![v[0], v[1], p];
    jacobian_central("shuffled", &j, &|q| flat(shuffled(q)), &x5);
    forward_and_reverse("shuffled", &j, &|c| flat(shuffled_jvp(&x5, unit(5, c)).1), &|r| {
        let u = unit(3, r);
        shuffled_vjp(&x5).1((vec![u[0], u[1]], u[2]))
    });
}
