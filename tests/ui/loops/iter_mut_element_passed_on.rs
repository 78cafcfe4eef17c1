use tapeless::differentiable;

fn clamp_in_place(v: &mut f64) {
    *v = v.clamp(-1.0, 1.0);
}

// An element of `iter_mut()` is written through `*o` or read by a method; passed on as
// `&mut f64`, what the callee writes is not followed.
#[differentiable]
fn clamped(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    for o in v.iter_mut() {
        clamp_in_place(o);
    }
    v.iter().sum()
}

fn main() {}
