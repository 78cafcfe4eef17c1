use tapeless::differentiable;

// Deep in a loop body, the note says which parameter and through which variables.
#[differentiable]
fn bucketed(v: &[f64], scale: f64) -> f64 {
    let mut total = 0.0;
    for i in 0..v.len() {
        let scaled = v[i] * scale;
        let shifted = scaled + 0.5;
        total += shifted.floor() * 0.1 + scaled;
    }
    total
}

fn main() {}
