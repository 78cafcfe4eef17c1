// A function generic over a nalgebra dimension (`D: Dim`), as published nalgebra code writes
// it: the size is a type, which the macro cannot read.
use nalgebra::{DefaultAllocator, Dim, OVector, RealField, allocator::Allocator};
use tapeless::differentiable;

#[differentiable]
pub fn squared_norm<T: RealField + Copy, D: Dim>(x: &OVector<T, D>) -> T
where
    DefaultAllocator: Allocator<D>,
{
    x.norm_squared()
}

fn main() {}
