//! `_jacobian` in forward mode with several directions per sweep (`_jvp_lanes`): branches,
//! loops carrying state, iterator sums, more columns than one sweep holds, a width told by the
//! types, and a method. Each Jacobian is checked against an analytic one and central
//! differences, and forward against reverse: its columns against `_jvp` along the axes and its
//! rows against `_vjp` of unit cotangents.

mod common;

use common::{check_jacobian as check, close};
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
