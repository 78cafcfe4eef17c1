use tapeless::differentiable;

// `T` could be anything: the macro cannot know it is a float.
#[differentiable]
fn scaled<T: Copy + core::ops::Mul<Output = T>>(x: T, k: T) -> T {
    x * k
}

fn main() {}
