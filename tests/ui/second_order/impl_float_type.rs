// A method generic over its `impl` block's float type, asked for second order by its own
// attribute on a block without one: its `_hvp` and `_hessian` take `f64`s and go in a block for
// `Linear<f64>`, which only the block's attribute can write. Our error at the parameter of that
// type, saying where to put the attribute (with it, tests/second_order_idioms.rs).
use num_traits::Float;
use tapeless::differentiable;

pub struct Linear<T> {
    pub slope: T,
}

impl<T: Float> Linear<T> {
    #[differentiable(hessian, wrt(x))]
    pub fn predict(&self, x: T) -> T {
        self.slope * x + x.sin()
    }
}

fn main() {}
