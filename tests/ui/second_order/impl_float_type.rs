// A method generic over its `impl` block's float type, asked for second order: the dual copy
// would run at `Dual<f64>` a `T` the block fixes (before, rustc's errors inside generated code).
// Our error at the parameter of that type.
use nalgebra::RealField;
use tapeless::differentiable;

pub struct Linear<T> {
    pub slope: T,
}

#[differentiable(hessian)]
impl<T: RealField + Copy> Linear<T> {
    pub fn predict(&self, x: T) -> T {
        self.slope * x + x.sin()
    }
}

fn main() {}
