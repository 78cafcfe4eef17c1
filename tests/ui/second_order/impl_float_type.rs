// A method generic over its `impl` block's float type bound by `RealField`, asked for second
// order: `Dual<f64>` is no `RealField`, so `_grad` cannot run at it (before, rustc's errors
// inside generated code). Our error at the parameter of that type; a `Float` bound works
// (tests/second_order_idioms.rs).
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
