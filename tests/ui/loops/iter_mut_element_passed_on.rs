use tapeless::differentiable;

struct Limits {
    lo: f64,
    hi: f64,
}

impl Limits {
    fn apply(&self, v: &mut f64) {
        *v = v.clamp(self.lo, self.hi);
    }
}

// An element of `iter_mut()` is written through `*o` or read by a method; passed on as
// `&mut f64` to a method, what the callee writes is not followed.
#[differentiable]
fn clamped(x: &[f64]) -> f64 {
    let limits = Limits { lo: -1.0, hi: 1.0 };
    let mut v = x.to_vec();
    for o in v.iter_mut() {
        limits.apply(o);
    }
    v.iter().sum()
}

fn main() {}
