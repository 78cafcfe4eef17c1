use tapeless::differentiable;

// `y` is declared without a value and first assigned in the loop: after a `loop`, rustc knows
// it is set, but the macro carries only variables that have a value before the loop.
#[differentiable]
fn last_step(x: f64) -> f64 {
    let y;
    let mut k = 0.0;
    loop {
        let t = x * k;
        k += 1.0;
        if k > 3.0 {
            y = t;
            break;
        }
    }
    y * y
}

fn main() {}
