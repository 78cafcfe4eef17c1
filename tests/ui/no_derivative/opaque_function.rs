// Article 003, example 3: a function from another library, with no `_jvp`/`_vjp` written for it
// (here a module of the same file, which the macro reads: our error at the call; a function of
// another crate is rustc's "cannot find function `logsumexp_jvp`"). A function of the caller's
// module is differentiated through its body where the macro can write it out at the call
// (tests/plain_helpers.rs); this one is in another module (whose private items its body could
// read) and calls itself, so it is not.
use tapeless::differentiable;

mod external {
    /// log Σ exp of a slice, folded from the right.
    pub fn logsumexp(xs: &[f64]) -> f64 {
        match xs {
            [] => f64::NEG_INFINITY,
            [x] => *x,
            [x, rest @ ..] => {
                let r = logsumexp(rest);
                let m = x.max(r);
                m + ((x - m).exp() + (r - m).exp()).ln()
            }
        }
    }
}

#[differentiable]
fn lse(x: &[f64]) -> f64 {
    external::logsumexp(x)
}

fn main() {}
