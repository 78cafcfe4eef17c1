//! Print what `#[differentiable]` generates for a function read from standard input, to read
//! or to diff:
//!
//! ```text
//! cargo run -q -p diff-expand --example expand -- 'wrt(x)' < f.rs > out.rs && rustfmt out.rs
//! ```
//!
//! The first argument is the attribute's arguments (empty for none); the input is the function
//! without the attribute.

use std::str::FromStr;

use proc_macro2::TokenStream;

fn main() {
    let attr = std::env::args().nth(1).unwrap_or_default();
    let item = std::io::read_to_string(std::io::stdin()).expect("read the function from stdin");
    let attr = TokenStream::from_str(&attr).expect("the attribute's arguments are not Rust tokens");
    let item = TokenStream::from_str(&item).expect("the input is not Rust tokens");
    println!("{}", diff_expand::differentiable(attr, item));
}
