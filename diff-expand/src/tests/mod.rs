//! Unit tests of the passes, by textual dumps of the IR and its activity (as Swift tests its
//! activity analysis), and of the pipeline's error collection; `reverse.rs` those of reverse
//! mode's plan and program and of the printed `_hvp`.

use quote::quote;

use crate::analysis::activity;
use crate::args::Args;
use crate::ctxt::Ctxt;
use crate::{check, ir, lower, signature};

mod reverse;

/// Lowers `item` and dumps its IR annotated with activity, or the errors.
fn dump(item: proc_macro2::TokenStream, wrt: Option<&[&str]>) -> String {
    let f: syn::ItemFn = syn::parse2(item).expect("test input is a function");
    let cx = Ctxt::default();
    let args = Args {
        wrt: wrt
            .map(|names| names.iter().map(|n| syn::Ident::new(n, proc_macro2::Span::call_site())).collect()),
        ..Args::default()
    };
    let sig = signature::analyse(&f.sig, &args, &cx).expect("signature");
    let lowered = lower::lower(&f.block, &sig, &cx);
    let wrt: Vec<bool> = sig.params.iter().map(|p| p.wrt).collect();
    let act = activity::analyse(&lowered.function, &wrt);
    check::check(&lowered.function, &sig, &act, !cx.has_errors(), &cx);
    match cx.take() {
        Some(e) => e
            .into_iter()
            .map(|e| format!("error: {}\n", e.to_string().lines().next().unwrap_or("")))
            .collect(),
        None => ir::dump(&lowered.function, Some(&act)),
    }
}

fn expect(item: proc_macro2::TokenStream, expected: &str) {
    let got = dump(item, None);
    let expected: String = expected
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{}\n", &l[strip(expected)..]))
        .collect();
    assert_eq!(got, expected, "\n--- got ---\n{got}\n--- expected ---\n{expected}");
}

/// The common indentation of the expected text.
fn strip(text: &str) -> usize {
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0)
}

#[test]
fn straight_line_ssa_and_activity() {
    expect(
        quote! {
            fn f(x: f64, y: f64, n: i32) -> f64 {
                let mut s = x * y;
                s += x.sin();
                let k = n * 2;
                s * 3.0
            }
        },
        "
        v0 = param 0  [active]
        v1 = param 1  [active]
        v2 = param 2
        v3 = mul v0, v1  [active]
        v4 = sin v0  [active]
        v5 = add v3, v4  [active]
        v6 = lit
        v7 = mul v2, v6
        v8 = lit
        v9 = mul v5, v8  [active]
        return v9
        ",
    );
}

#[test]
fn branches_merge_into_phis() {
    expect(
        quote! {
            fn f(x: f64, n: i32) -> f64 {
                let mut y = x;
                if n > 0 { y = y * 2.0; }
                y + 1.0
            }
        },
        "
        v0 = param 0  [active]
        v1 = param 1
        v2 = lit
        v3 = gt v1, v2
        v6 = if v3  [active]
        then:
          v4 = lit
          v5 = mul v0, v4  [active]
          yield v5
        else:
          yield v0
        v8 = lit
        v9 = add v6, v8  [active]
        return v9
        ",
    );
}

#[test]
fn no_grad_cuts_and_varied_but_useless_values_are_not_active() {
    expect(
        quote! {
            fn f(x: f64) -> f64 {
                let unused = x.exp();
                x * no_grad(x.round())
            }
        },
        "
        v0 = param 0  [active]
        v1 = exp v0  [varied]
        v2 = round v0  [tainted]
        v3 = no_grad v2
        v4 = mul v0, v3  [active]
        return v4
        ",
    );
}

#[test]
fn comparisons_taint_but_do_not_vary() {
    expect(
        quote! {
            fn f(x: f64) -> f64 {
                let c = x > 0.0;
                x
            }
        },
        "
        v0 = param 0  [active]
        v1 = lit
        v2 = gt v0, v1  [tainted]
        return v0
        ",
    );
}

#[test]
fn short_circuit_keeps_evaluation_order() {
    expect(
        quote! {
            fn f(x: f64, a: bool, b: bool) -> f64 {
                if a && b { x } else { -x }
            }
        },
        "
        v0 = param 0  [active]
        v1 = param 1
        v2 = param 2
        v4 = if piecewise v1
        then:
          yield v2
        else:
          v3 = lit
          yield v3
        v7 = if v4  [active]
        then:
          yield v0
        else:
          v6 = neg v0  [active]
          yield v6
        return v7
        ",
    );
}

#[test]
fn loops_carry_reassigned_variables() {
    expect(
        quote! {
            fn f(x: &[f64], n: usize) -> f64 {
                let mut s = 0.0;
                let mut k = 1;
                for i in 0..n {
                    s += x[i] * x[i];
                    k += 1;
                }
                s
            }
        },
        "
        v0 = param 0  [active]
        v1 = param 1
        v2 = lit
        v3 = lit
        v4 = lit
        v14, v15 = for v5 in v4..v1 carry [v6 = v2 then v11, v7 = v3 then v13]  [active, ]
          v8 = load v0[v5]  [active]
          v9 = load v0[v5]  [active]
          v10 = mul v8, v9  [active]
          v11 = add v6, v10  [active]
          v12 = lit
          v13 = add v7, v12
        return v14
        ",
    );
}

#[test]
fn calls_and_tuples() {
    expect(
        quote! {
            fn f(x: f64, y: f64) -> (f64, f64) {
                let (a, b) = g(x, 2.0);
                let t = (a, y);
                (t.0 * b, t.1)
            }
        },
        "
        v0 = param 0  [active]
        v1 = param 1  [active]
        v2 = lit
        v3, v4 = call g(v0, v2)  [active, active]
        v5 = mul v3, v4  [active]
        return (v5, v1)
        ",
    );
}

#[test]
fn every_problem_is_reported_in_one_pass() {
    let got = dump(
        quote! {
            fn f(x: f64, y: f64, z: f64) -> f64 {
                let a = x.floor();
                let b = x as i64;
                let c = if x > 0.0 { 1.0 } else { 2.0 };
                x.frobnicate() + a + c + b as f64
            }
        },
        None,
    );
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(lines.len(), 6, "{got}");
    assert!(lines[0].contains("`floor` of a differentiable value"), "{got}");
    assert!(lines[1].contains("`as i64`"), "{got}");
    assert!(lines[2].contains("`if` condition depends on a differentiable value"), "{got}");
    assert!(lines[3].contains("method `frobnicate`"), "{got}");
    assert!(lines[4].contains("does not depend on `y`") && lines[4].contains("never used"), "{got}");
    assert!(lines[5].contains("does not depend on `z`"), "{got}");
}

#[test]
fn piecewise_accepts_an_active_condition() {
    let got = dump(quote! { fn f(x: f64) -> f64 { if piecewise(x > 0.0) { x } else { 0.0 } } }, None);
    assert!(!got.contains("error"), "{got}");
}

#[test]
fn unsupported_syntax_is_an_error_not_a_panic() {
    for item in [
        quote! { fn f(x: f64) -> f64 { let g = |t: f64| t * x; h(g) } },
        quote! { fn f(x: f64) -> f64 { let mut s = 0.0; let mut g = move |t: f64| s += t; g(x); s } },
        quote! { fn f(x: f64) -> f64 { let mut s = 0.0; while s < 3.0 { s += x; } s } },
        quote! { fn f(x: f64) -> f64 { let s = 'a: loop { for _ in 0..3 { break 'a x; } }; s } },
        quote! { fn f(x: [f64; 2]) -> [f64; 2] { if x.len() > 1 { return x; } x } },
        quote! { fn f(x: &[f64]) -> f64 { let mut s = 0.0; for w in x.windows(2) { s += g(w); } s } },
        quote! { fn f(x: &[f64]) -> f64 { let mut v = x.to_vec(); for o in v.iter_mut() { g(o); } v[0] } },
        quote! { fn f(x: f64) -> f64 { unsafe { x } } },
        quote! { fn f(x: f64) -> f64 { let s = square!(x); s } },
        quote! { fn f(x: f64) -> f64 { match Some(x) { Some(k) => k, None => 0.0 } } },
        quote! { fn f(x: f64) -> f64 { let y; y } },
        quote! { fn f(x: f64) -> f64 { let k = [1.0, 2.0]; k[x as usize] * x } },
        quote! { fn f<T: Float>(x: &[T]) -> T { let mut s = T::zero(); for i in 0..x.len() { let v = vec![x[i]; 2]; s = s + v[0]; } s } },
    ] {
        let got = dump(item.clone(), None);
        assert!(got.starts_with("error:"), "{item}\n{got}");
    }
}

#[test]
fn expansion_of_odd_inputs_never_panics() {
    for (attr, item) in [
        (
            quote!(),
            quote!(
                struct S;
            ),
        ),
        (
            quote!(wrt),
            quote!(
                fn f(x: f64) -> f64 {
                    x
                }
            ),
        ),
        (
            quote!(wrt(q)),
            quote!(
                fn f(x: f64) -> f64 {
                    x
                }
            ),
        ),
        (
            quote!(wrt(n)),
            quote!(
                fn f(x: f64, n: i32) -> f64 {
                    x
                }
            ),
        ),
        (
            quote!(),
            quote!(
                fn f(x: f64) {}
            ),
        ),
        (
            quote!(),
            quote!(
                fn f(x: Foo) -> f64 {
                    1.0
                }
            ),
        ),
        (
            quote!(),
            quote!(
                fn f(&mut self, x: f64) -> f64 {
                    x
                }
            ),
        ),
        (
            quote!(),
            quote!(
                async fn f(x: f64) -> f64 {
                    x
                }
            ),
        ),
        (
            quote!(),
            quote!(
                fn f(n: i32) -> f64 {
                    1.0
                }
            ),
        ),
        (
            quote!(),
            quote!(
                fn f(x: f64) -> f64 {
                    (x, x)
                }
            ),
        ),
        (
            quote!(),
            quote!(
                fn f(x: f64) -> f64 {
                    let (a, b, c) = (x, x);
                    a
                }
            ),
        ),
    ] {
        let out = crate::expand::differentiable(attr, item).to_string();
        assert!(out.contains("compile_error"), "{out}");
    }
}

#[test]
fn alias_columns_reads_nalgebra_alias_names() {
    use signature::alias_columns;
    assert_eq!(alias_columns("Vector3"), Some(1));
    assert_eq!(alias_columns("SVector"), Some(1));
    assert_eq!(alias_columns("Matrix2"), Some(2));
    assert_eq!(alias_columns("Matrix2x3"), Some(3));
    assert_eq!(alias_columns("Matrix3x2"), Some(2));
    for other in ["Matrix", "Matrix7", "Matrix2x", "Vector", "Vector0", "DVector", "Point3", "Matrix2x3x4"] {
        assert_eq!(alias_columns(other), None, "{other}");
    }
}

/// Whether the expansion keeps an array's adjoint as one scalar (`analysis::summed_arrays`).
fn keeps_summed_scalar(body: proc_macro2::TokenStream) -> bool {
    let item = quote!(fn f(x: &[f64], m: usize) -> f64 { #body });
    let out = crate::differentiable(quote!(wrt(x)), item).to_string();
    assert!(!out.contains("compile_error"), "{out}");
    out.contains("__fill") && out.contains("__tsum")
}

#[test]
fn an_array_written_once_and_summed_keeps_a_scalar_adjoint() {
    let summed = |store: proc_macro2::TokenStream, after: proc_macro2::TokenStream| {
        keeps_summed_scalar(quote! {
            let n = x.len();
            let mut mat = vec![0.0; n * m + 3];
            for i in 0..n { #store }
            let mut s = x[0];
            for v in mat.iter() { s += v; }
            #after
            s.sqrt()
        })
    };
    // F4's shape, either order of the product and the sum.
    assert!(summed(
        quote!(for j in 0..m {
            mat[i * m + j] = (x[i] * x[j % n]).sin();
        }),
        quote!()
    ));
    assert!(summed(quote!(let y = x[i]; for j in 0..m { let k = m * i; mat[j + k] = y; }), quote!()));
    // Summed by `iter().sum()` instead of a loop.
    assert!(keeps_summed_scalar(quote! {
        let n = x.len();
        let mut mat = vec![0.0; n * m];
        for i in 0..n { for j in 0..m { mat[i * m + j] = x[i] * x[j % n]; } }
        mat.iter().sum::<f64>().sin()
    }));
    // Literal row lengths: the bound and the multiplier are two literals of one value.
    assert!(summed(
        quote!(for j in 0..4 {
            mat[i * 4 + j] = x[i];
        }),
        quote!()
    ));
    assert!(!summed(
        quote!(for j in 0..4 {
            mat[i * 3 + j] = x[i];
        }),
        quote!()
    ));
    // Rows of different lengths may overlap: `k` must not depend on `i`.
    assert!(!summed(quote!(let k = n - i; for j in 0..k { mat[i * k + j] = x[j]; }), quote!()));
    // Not `i * m + j`.
    assert!(!summed(
        quote!(for j in 0..m {
            mat[i + j] = x[j % n];
        }),
        quote!()
    ));
    // Stored twice, or from a `j` that does not start at zero.
    assert!(!summed(
        quote!(for j in 0..m {
            mat[i * m + j] = x[i];
            mat[i * m + j] = x[j % n];
        }),
        quote!()
    ));
    assert!(!summed(
        quote!(for j in 1..m {
            mat[i * m + j] = x[i];
        }),
        quote!()
    ));
    // Read again after the sum.
    assert!(!summed(
        quote!(for j in 0..m {
            mat[i * m + j] = x[i];
        }),
        quote!(s += mat[0];)
    ));
    // The store loop inside another loop stores each element once per outer iteration.
    assert!(!keeps_summed_scalar(quote! {
        let n = x.len();
        let mut mat = vec![0.0; n * m];
        for _ in 0..2 { for i in 0..n { for j in 0..m { mat[i * m + j] = x[i]; } } }
        let mut s = 0.0;
        for v in mat.iter() { s += v; }
        s
    }));
}

/// The `a`-`b` chain of `n` statements, as `benches/long_function.sh` writes it.
fn chain(n: usize) -> proc_macro2::TokenStream {
    let steps = (0..n).map(|i| {
        if i.is_multiple_of(2) {
            quote!(a = (a * 0.999 + b * 0.001).sin();)
        } else {
            quote!(b = (b * 0.999 + a * 0.001).cos();)
        }
    });
    quote!(fn big(x: f64, y: f64) -> f64 { let mut a = x; let mut b = y; #(#steps)* a + b })
}

#[test]
fn a_long_functions_grad_calls_its_vjp_and_a_short_ones_has_its_own_sweeps() {
    // About 6 instructions a statement: 100 statements are short, 2 000 are long.
    let grad_calls_vjp = |n: usize| {
        let out = crate::expand::differentiable(quote!(), chain(n)).to_string();
        let grad = out.split("fn big_grad").nth(1).unwrap_or_default().to_string();
        (grad.contains("big_vjp (x , y)"), grad.contains(". sin ()"))
    };
    assert_eq!(grad_calls_vjp(100), (false, true));
    assert_eq!(grad_calls_vjp(2000), (true, false));
    // Not with second order, which copies `_grad`'s own body into dual numbers.
    let out = crate::expand::differentiable(quote!(hessian), chain(2000)).to_string();
    let grad = out.split("fn big_grad").nth(1).unwrap_or_default().to_string();
    assert!(!grad.contains("big_vjp (x , y)") && grad.contains(". sin ()"));
}

/// The prescan records the functions with the attribute of every file under the crate's
/// sources, for their file and for the crate; a lookup asks the caller's file first.
#[test]
fn prescan_reads_the_crate_sources() {
    use crate::signature::{prescan, registry};
    let dir = std::env::temp_dir().join(format!("tapeless-prescan-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("nested")).expect("a temporary directory");
    let a = src.join("a.rs");
    std::fs::write(
        &a,
        "#[differentiable(wrt(x))] fn zz_same(x: f64, y: f64) -> f64 { x * y }\n\
         #[tapeless::differentiable] fn zz_power(x: f64, n: u32) -> f64 { x.powi(n as i32) }",
    )
    .expect("write a.rs");
    let b = src.join("nested").join("b.rs");
    std::fs::write(
        &b,
        "#[differentiable(wrt(y))] fn zz_same(x: f64, y: f64) -> f64 { x * y }\n\
         #[cfg(test)] mod tests { #[differentiable] fn zz_power(x: f64, y: f64) -> f64 { x * y } }",
    )
    .expect("write b.rs");
    // A file that derives `Differentiable` and never writes the attribute.
    std::fs::write(
        src.join("c.rs"),
        "use tapeless::Differentiable;\n\
         #[derive(Clone, Differentiable)] pub struct ZzParams { pub w1: Vec<Vec<f64>>, pub b: f64 }",
    )
    .expect("write c.rs");
    // Another binary of the package with a struct of the same name, not derived: not this
    // crate's (`crate_files`), so `ZzParams` stays differentiable.
    std::fs::create_dir_all(src.join("bin").join("other")).expect("a binary's directory");
    std::fs::write(src.join("bin").join("tool.rs"), "pub struct ZzParams { pub w1: f64 }")
        .expect("write tool.rs");
    std::fs::write(src.join("bin").join("other").join("main.rs"), "fn main() {}").expect("write main.rs");
    let listed = |bin: Option<&str>| -> Vec<String> {
        let mut names: Vec<String> = prescan::crate_files(&src, bin)
            .iter()
            .map(|p| {
                p.strip_prefix(std::fs::canonicalize(&src).expect("canonical"))
                    .expect("under src")
                    .display()
                    .to_string()
            })
            .collect();
        names.sort();
        names
    };
    assert_eq!(listed(None), ["a.rs", "c.rs", "nested/b.rs"]);
    assert_eq!(listed(Some("tool")), ["a.rs", "bin/tool.rs", "c.rs", "nested/b.rs"]);
    assert_eq!(listed(Some("other")), ["a.rs", "bin/other/main.rs", "c.rs", "nested/b.rs"]);
    prescan::scan_with(&a, Some(&src), None);
    // From c.rs: the struct, differentiated by default, and its fields' declared types.
    assert!(crate::signature::types::differentiable_record(&syn::parse_quote!(&ZzParams)));
    let w1 = crate::signature::types::field_type(Some("ZzParams"), "w1");
    assert_eq!(w1, Some(syn::parse_quote!(Vec<Vec<f64>>)));
    // From a.rs: its own `zz_same`, and the integer parameter of `zz_power` left out.
    assert_eq!(registry::lookup("zz_same", 2).map(|w| w.params), Some(vec![true, false]));
    assert_eq!(registry::lookup("zz_power", 2).map(|w| w.params), Some(vec![true, false]));
    // From b.rs: its own. From a file with neither: the two differ, so no entry.
    let canonical =
        |p: &std::path::Path| std::fs::canonicalize(p).expect("canonical").to_string_lossy().into_owned();
    registry::set_file(&canonical(&b));
    assert_eq!(registry::lookup("zz_same", 2).map(|w| w.params), Some(vec![false, true]));
    registry::set_file("");
    assert!(registry::lookup("zz_same", 2).is_none() && registry::is_function("zz_same", 2));
    // A test module's function of the same name is not read: `zz_power` stays a.rs's.
    assert_eq!(registry::lookup("zz_power", 2).map(|w| w.params), Some(vec![true, false]));
    let _ = std::fs::remove_dir_all(&dir);
}
