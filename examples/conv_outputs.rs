//! Article 002, "Why is GradientTape returning None when calculating gradients from loss and convOutputs?", as tapeless code: `cargo run --example conv_outputs`.
//!
//! The functions are in examples/article/conv_outputs.rs, each with a comment saying what TensorFlow 2.21
//! really does for that case (shared/tape-cases/TRUTH.md); the rows printed here compute what
//! tapeless does. Cases tapeless rejects show the compiler's message from tests/ui/.

mod article;

fn main() {
    println!(
        "Article 002: Why is GradientTape returning None when calculating gradients from loss and convOutputs?\n"
    );
    article::print(&article::conv_outputs::rows(), "002");
}
