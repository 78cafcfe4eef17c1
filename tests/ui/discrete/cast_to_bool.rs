use tapeless::differentiable;

#[differentiable]
fn flag(v: f64) -> f64 {
    let on = (v * 3.0) as u8 != 0;
    if on { 1.0 } else { 0.0 }
}

fn main() {}
