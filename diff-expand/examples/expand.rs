//! Print what `#[differentiable]` generates for a function read from standard input, to read
//! or to diff:
//!
//! ```text
//! cargo run -q -p diff-expand --example expand -- 'wrt(x)' < f.rs > out.rs && rustfmt out.rs
//! ```
//!
//! The first argument is the attribute's arguments (empty for none); the input is the function
//! without the attribute. With `--time` first, it prints how long the expansion took (to
//! standard error) instead of the expansion: `benches/compile_cost.sh` uses it on a debug build,
//! since cargo compiles proc macros without optimisation by default. With `--plan` first, it
//! prints the plan of the reverse sweep instead, one line per branch and loop: what the primal
//! sweep keeps for the adjoint sweep and how each loop runs backward (`v3` is the IR's value 3,
//! `__v3` in the expansion). With `--adjoint` first, it prints the adjoint program once planned,
//! one statement per line, with each branch's `match` and each backward loop's pops and
//! recomputations. With `--tokens` first, it prints how many tokens the expansion has
//! (a group counts one, plus its contents). After the mode, `--crate DIR` has the prescan read
//! the crate at `DIR` first (`DIR/src`: its structs, their fields, its helpers).

use std::str::FromStr;
use std::time::Instant;

use proc_macro2::TokenStream;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let time = args.first().is_some_and(|a| a == "--time");
    let plan = args.first().is_some_and(|a| a == "--plan");
    let tokens = args.first().is_some_and(|a| a == "--tokens");
    let adjoint = args.first().is_some_and(|a| a == "--adjoint");
    if time || plan || tokens || adjoint {
        args.remove(0);
    }
    // `--crate DIR` first: the crate whose `src/` the prescan reads (its structs and helpers).
    if args.first().is_some_and(|a| a == "--crate") && args.len() > 1 {
        let dir = std::path::Path::new(&args[1]).join("src/lib.rs");
        args.drain(..2);
        diff_expand::scan_source(Some(&dir));
    }
    let attr = args.first().cloned().unwrap_or_default();
    let item = std::io::read_to_string(std::io::stdin()).expect("read the function from stdin");
    let attr = TokenStream::from_str(&attr).expect("the attribute's arguments are not Rust tokens");
    let item = TokenStream::from_str(&item).expect("the input is not Rust tokens");
    if plan {
        print!("{}", diff_expand::reverse_plan(attr, item));
        return;
    }
    if adjoint {
        print!("{}", diff_expand::reverse_program(attr, item));
        return;
    }
    let start = Instant::now();
    let out = diff_expand::differentiable(attr, item);
    if time {
        eprintln!("{:.3}", start.elapsed().as_secs_f64());
    } else if tokens {
        println!("{}", count(out));
    } else {
        println!("{out}");
    }
}

/// How many tokens `stream` has: one per identifier, punctuation and literal, one per group
/// plus what it holds.
fn count(stream: TokenStream) -> usize {
    stream
        .into_iter()
        .map(|tt| match tt {
            proc_macro2::TokenTree::Group(g) => 1 + count(g.stream()),
            _ => 1,
        })
        .sum()
}
