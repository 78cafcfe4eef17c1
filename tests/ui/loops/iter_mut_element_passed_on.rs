use tapeless::differentiable;

// A function of this file that writes through `&mut` is written out at the call, the element
// read in place (tests/plain_helpers.rs); one that calls itself cannot be, and what it writes
// through the `iter_mut()` element passed on is not followed.
fn clamp_times(v: &mut f64, times: u32) {
    if times > 0 {
        *v = v.clamp(-1.0, 1.0);
        clamp_times(v, times - 1);
    }
}

#[differentiable]
fn clamped(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    for o in v.iter_mut() {
        clamp_times(o, 2);
    }
    v.iter().sum()
}

fn main() {}
