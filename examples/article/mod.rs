//! The article cases written as ordinary Rust with `#[differentiable]`, shared by the `cases`
//! tour (examples/cases.rs) and its assertions (tests/cases.rs).
//!
//! Each function carries the case id of `shared/tape-cases/TRUTH.md` and what TensorFlow 2.21
//! really does there (measured, not what the article claims).
#![allow(dead_code)]

use tapeless::{differentiable, no_grad, piecewise};

// ---- 000: outer product ------------------------------------------------------------------------

/// 000-ex1: `z = outer(x, y)` for x, y in R². A non-scalar result: forward and reverse mode take
/// an explicit seed; a gradient does not exist (TF silently seeds with ones, i.e. sums `z`).
#[differentiable]
pub fn outer2(x0: f64, x1: f64, y0: f64, y1: f64) -> ((f64, f64), (f64, f64)) {
    ((x0 * y0, x0 * y1), (x1 * y0, x1 * y1))
}

/// 000-ex3: `loss = sum(outer(x, y))`, built on `outer2`.
#[differentiable]
pub fn outer2_sum(x0: f64, x1: f64, y0: f64, y1: f64) -> f64 {
    let ((a, b), (c, d)) = outer2(x0, x1, y0, y1);
    a + b + c + d
}

// ---- 001: watching and scope -------------------------------------------------------------------

/// 001-ex1: the product rule.
#[differentiable]
pub fn product(x: f64, y: f64) -> f64 {
    x * y
}

/// 001-ex2: `z = 2x + 1` (where `x` was "created" does not matter: there is no tape).
#[differentiable]
pub fn affine(x: f64) -> f64 {
    let y = x * 2.0;
    y + 1.0
}

/// 001-ex3: a branch on the input, accepted with `piecewise`.
#[differentiable]
pub fn branch_001(x: f64) -> f64 {
    let y = if piecewise(x > 0.0) { x * 2.0 } else { x };
    y + 1.0
}

/// 001-ex3′: `y` is set only in a branch that may not run; TF returns `None` at x = -1.
#[differentiable]
pub fn set_in_branch(x: f64) -> f64 {
    let mut y = 0.0;
    if piecewise(x > 0.0) {
        y = 2.0 * x;
    }
    y + 1.0
}

// ---- 003: numerical functions ------------------------------------------------------------------

/// 003-ex2: `x²` above 1, `x` below, under `piecewise`.
#[differentiable]
pub fn kinked(x: f64) -> f64 {
    if piecewise(x > 1.0) { x * x } else { x }
}

/// 003-ex3: an opaque routine from another library (here: log-sum-exp of two numbers, computed
/// stably). The macro cannot see into it.
pub mod external {
    pub fn logsumexp2(a: f64, b: f64) -> f64 {
        let m = a.max(b);
        m + ((a - m).exp() + (b - m).exp()).ln()
    }

    /// Its derivative, written by hand under tapeless's naming convention: the softmax.
    pub fn logsumexp2_jvp(a: f64, b: f64, da: f64, db: f64) -> (f64, f64) {
        let y = logsumexp2(a, b);
        let (pa, pb) = ((a - y).exp(), (b - y).exp());
        (y, pa * da + pb * db)
    }

    /// Reverse mode of the same.
    pub fn logsumexp2_vjp(a: f64, b: f64) -> (f64, impl FnOnce(f64) -> (f64, f64)) {
        let y = logsumexp2(a, b);
        (y, move |ct: f64| ((a - y).exp() * ct, (b - y).exp() * ct))
    }
}

/// 003-ex3: calling the opaque routine composes through its hand-written `_jvp`/`_vjp`.
#[differentiable]
pub fn lse(a: f64, b: f64) -> f64 {
    external::logsumexp2(a, b)
}

// ---- 004: expected gradients -------------------------------------------------------------------

/// 004-ex1: `y = w * x`, differentiated with respect to `w` only (`x` is data).
#[differentiable(wrt(w))]
pub fn scale(w: f64, x: f64) -> f64 {
    w * x
}

/// 004-ex2b: `z = 2 (w x)` computed in one place.
#[differentiable(wrt(w))]
pub fn doubled(w: f64, x: f64) -> f64 {
    let y = w * x;
    y * 2.0
}

/// 004-text1: a float-to-float cast has derivative 1.
#[differentiable]
pub fn widen(v: f32) -> f64 {
    v as f64
}

/// 004-text1: `v * round(v)` with the rounding held constant on purpose.
#[differentiable]
pub fn times_rounded(v: f64) -> f64 {
    v * no_grad(v.round())
}

/// 004-text2: `v.assign(3w); y = v * v`. A reassigned local is a new SSA value, so the
/// derivative flows through the assignment (TF's `assign` silently cuts it: `None`).
#[differentiable]
#[allow(unused_assignments)]
pub fn assigned(w: f64) -> f64 {
    let mut v = 0.0;
    v = 3.0 * w;
    v * v
}

/// 004-text2: `a[0] = 10 a[1]; y = sum(a²)` at `a = [1, 2, 3]`: the functional derivative is
/// [0, 404, 6] (TF answers [40, 4, 6], the gradient w.r.t. the mutated state). The overwritten
/// `a0` cannot reach the result, so asking for its derivative is a compile error (it is
/// identically zero); the derivative w.r.t. (a1, a2) is (404, 6).
#[differentiable(wrt(a1, a2))]
#[allow(unused_assignments)]
pub fn overwrite(a0: f64, a1: f64, a2: f64) -> f64 {
    let mut a0 = a0;
    a0 = 10.0 * a1;
    a0 * a0 + a1 * a1 + a2 * a2
}

// ---- cases tapeless rejects at compile time ------------------------------------------------------

/// A case tapeless refuses to compile: the ui snapshot holds the real error.
pub struct Rejected {
    pub id: &'static str,
    pub construct: &'static str,
    pub tape: &'static str,
    pub stderr: &'static str,
}

impl Rejected {
    /// The first line of the compiler's message, without `error: ` or `error[E0425]: `.
    pub fn headline(&self) -> &'static str {
        let line = self.stderr.lines().next().unwrap_or("");
        match line.split_once("]: ") {
            Some((code, rest)) if code.starts_with("error[") => rest,
            _ => line.strip_prefix("error: ").unwrap_or(line),
        }
    }
}

pub const REJECTED: &[Rejected] = &[
    Rejected {
        id: "000-ex1",
        construct: "gradient of a non-scalar result",
        tape: "[7. 7.]: silently the gradient of sum(z)",
        stderr: include_str!("../../tests/ui/signature/non_scalar_gradient.stderr"),
    },
    Rejected {
        id: "001-ex3",
        construct: "`if x > 0` without piecewise",
        tape: "2.0 (the branch that ran; correct)",
        stderr: include_str!("../../tests/ui/branch/active_condition.stderr"),
    },
    Rejected {
        id: "001-ex3'",
        construct: "y set only in an untaken branch",
        tape: "None at x = -1 (true value 0)",
        stderr: include_str!("../../tests/ui/branch/assigned_in_one_branch.stderr"),
    },
    Rejected {
        id: "002-ex3",
        construct: "value leaves the float world (.numpy())",
        tape: "None (silent)",
        stderr: include_str!("../../tests/ui/discrete/to_bits.stderr"),
    },
    Rejected {
        id: "003-ex1",
        construct: "floor(x)",
        tape: "AttributeError; None once re-wrapped",
        stderr: include_str!("../../tests/ui/piecewise_constant/floor.stderr"),
    },
    Rejected {
        id: "003-ex3",
        construct: "opaque call, no derivative given",
        tape: "AttributeError; None once re-wrapped",
        stderr: include_str!("../../tests/ui/no_derivative/opaque_function.stderr"),
    },
    Rejected {
        id: "003-ex3 probe",
        construct: "opaque(x) * x (partial detachment)",
        tape: "wrong number, silently",
        stderr: include_str!("../../tests/ui/no_derivative/unknown_method.stderr"),
    },
    Rejected {
        id: "004-ex2a",
        construct: "wrt parameter computed outside",
        tape: "None (silent)",
        stderr: include_str!("../../tests/ui/unreachable/computed_outside.stderr"),
    },
    Rejected {
        id: "004-text1",
        construct: "round / sign / cast to int",
        tape: "None / 0.0 / None (silent)",
        stderr: include_str!("../../tests/ui/piecewise_constant/signum.stderr"),
    },
    Rejected {
        id: "004-text2",
        construct: "write through &mut (assign)",
        tape: "None (silent)",
        stderr: include_str!("../../tests/ui/unsupported/mut_ref_param.stderr"),
    },
];
