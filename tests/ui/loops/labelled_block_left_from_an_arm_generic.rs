// A labelled block left from a `match` arm, in a function generic over its float type: the
// block is a `loop` run once there, whose value a generic function cannot carry.
use tapeless::differentiable;

#[differentiable]
fn pick<T: num_traits::Float>(x: T, mode: usize) -> T {
    let y = 'pick: {
        match mode {
            0 => break 'pick x.exp(),
            _ => {}
        }
        x * x
    };
    y * x
}

fn main() {}
