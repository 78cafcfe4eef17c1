// Article 003, example 1: `np.floor(x)` on a Variable. TensorFlow raises AttributeError
// verbatim and returns None once the result is re-wrapped as a tensor; tf.floor gives None.
use tapeless::differentiable;

#[differentiable]
fn step(x: f64) -> f64 {
    x.floor()
}

fn main() {}
