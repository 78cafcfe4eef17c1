//! The article cases, shared by the tour (examples/cases.rs), one example per article
//! (examples/outer_product.rs, ...) and the assertions (tests/cases.rs).
//!
//! Each submodule holds one article's cases as ordinary Rust with `#[differentiable]`, and
//! `rows()`: what TensorFlow 2.21 really does there (measured: shared/tape-cases/TRUTH.md, not
//! the article's claim) beside what tapeless does, computed live.
#![allow(dead_code)]

pub mod conv_outputs;
pub mod expected_gradients;
pub mod numerical_functions;
pub mod outer_product;
pub mod watching_and_scope;

/// One row of the tour.
pub struct Row {
    pub id: &'static str,
    pub construct: &'static str,
    pub tape: &'static str,
    pub tapeless: String,
}

/// Prints rows, then the rejected cases whose id starts with `prefix`.
pub fn print(rows: &[Row], prefix: &str) {
    println!("{:<13} | {:<38} | {:<44} | tapeless", "case", "construct", "TensorFlow 2.21");
    println!("{}", "-".repeat(150));
    for r in rows {
        println!("{:<13} | {:<38} | {:<44} | {}", r.id, r.construct, r.tape, r.tapeless);
    }
    for r in REJECTED.iter().filter(|r| r.id.starts_with(prefix)) {
        println!(
            "{:<13} | {:<38} | {:<44} | rejected at compile time: {}",
            r.id,
            r.construct,
            r.tape,
            r.headline()
        );
    }
}

/// Rounds for display.
pub fn fmt(values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|v| format!("{}", (v * 1e6).round() / 1e6)).collect();
    if items.len() == 1 { items[0].clone() } else { format!("[{}]", items.join(", ")) }
}

// ---- cases tapeless rejects at compile time ----------------------------------------------------

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
