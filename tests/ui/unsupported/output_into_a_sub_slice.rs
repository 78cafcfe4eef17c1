use tapeless::differentiable;

#[differentiable]
fn rhs(y: &[f64], dy: &mut [f64], k: f64) {
    dy[0] = y[1];
    dy[1] = -k * y[0];
}

// A function writing through `&mut` slices may be called on a local array, not on a part of one.
#[differentiable]
fn first_rate(y: &[f64], k: f64) -> f64 {
    let mut buf = vec![0.0; 4];
    rhs(y, &mut buf[..2], k);
    buf[0] + buf[1]
}

fn main() {}
