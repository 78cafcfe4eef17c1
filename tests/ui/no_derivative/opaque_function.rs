// Article 003, example 3: a function from another library, with no `_jvp`/`_vjp` written for it
// (here a module of the same file, which the macro reads: our error at the call; a function of
// another crate is rustc's "cannot find function `logsumexp2_jvp`").
use tapeless::differentiable;

mod external {
    pub fn logsumexp2(a: f64, b: f64) -> f64 {
        let m = a.max(b);
        m + ((a - m).exp() + (b - m).exp()).ln()
    }
}

#[differentiable]
fn lse(a: f64, b: f64) -> f64 {
    external::logsumexp2(a, b)
}

fn main() {}
