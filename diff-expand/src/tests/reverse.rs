//! Unit tests of reverse mode's plan (`--plan`) and adjoint program (`--adjoint`), and of which
//! `_hvp`s are printed over the program.

use quote::quote;

/// The plan of the reverse sweep (`emit::reverse::plan`), as the `expand` example's `--plan`
/// prints it, against the expected lines.
fn expect_plan(attr: proc_macro2::TokenStream, item: proc_macro2::TokenStream, expected: &str) {
    let got = crate::expand::reverse_plan(attr, item);
    let expected: String =
        expected.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| format!("{l}\n")).collect();
    assert_eq!(got, expected, "\n--- got ---\n{got}\n--- expected ---\n{expected}");
}

/// A loop whose body branches on a value it computes, carrying `s`.
fn branch_in_a_loop() -> proc_macro2::TokenStream {
    quote! {
        fn f(x: &[f64], a: f64) -> f64 {
            let mut s = 0.0;
            for i in 0..x.len() {
                let t = (a * x[i]).sin();
                if piecewise(t > 0.0) { s += t * t; } else { s -= t.exp(); }
                s = s * a;
            }
            s
        }
    }
}

#[test]
fn plan_a_branch_in_a_loop_saves_its_trace_and_the_loop_pops_what_it_cannot_recompute() {
    // `s` is carried (popped: the previous iteration's), the branch's trace is popped, `a * x[i]`
    // and its sine are recomputed from the index; the else branch saves `t.exp()` for its
    // adjoint, the then branch nothing (`t` is recomputed).
    expect_plan(
        quote!(),
        branch_in_a_loop(),
        "
        if v17: then saves nothing; else saves v14
        loop v5: backward; pops v6, v16, v17; recomputes v7, v8, v9
        ",
    );
}

#[test]
fn plan_a_loop_that_only_adds_into_adjoints_runs_forward_and_hoists_a_fixed_read() {
    // No carried value is read by an adjoint: iterations are independent, run in the primal's
    // order; `x[k]` is read at an index the loop does not change, its adjoint summed in a
    // scalar. With `wrt(x)` the adjoint of `y[j]` is not needed, so `y[j]` is not recomputed.
    let g = quote! {
        fn g(x: &[f64], y: &[f64], k: usize) -> f64 {
            let mut s = 0.0;
            for j in 0..y.len() { s += x[k] * y[j]; }
            s
        }
    };
    expect_plan(quote!(), g.clone(), "loop v6: forward; pops nothing; recomputes v8, v9; hoists v0[v2]");
    expect_plan(quote!(wrt(x)), g, "loop v6: forward; pops nothing; recomputes v9; hoists v0[v2]");
}

#[test]
fn plan_a_loop_in_a_branch_passes_up_what_the_arm_then_saves() {
    // The loop recomputes `x[i]` and `b * x[i]` from the index, and passes up what it reads from
    // outside: `b` and the range's bounds, defined in the then arm, which saves them in the
    // trace. Planned innermost first, from the adjoint program, before anything is printed.
    expect_plan(
        quote!(),
        quote! {
            fn f(x: &[f64], a: f64, flag: bool) -> f64 {
                let mut s = 0.0;
                if flag {
                    let b = a.sin();
                    for i in 0..x.len() { s += (b * x[i]).cos(); }
                } else {
                    s = a * a;
                }
                s
            }
        },
        "
        if v16: then saves v4, v5, v6; else saves nothing
        loop v7: forward; pops nothing; recomputes v9, v10
        ",
    );
}

#[test]
fn program_of_a_branch_in_a_loop_pops_recomputes_then_matches_on_the_popped_trace() {
    // The adjoint program once planned: the backward iteration pops the carried `s` (`__v6`),
    // the product `t * t` (`__v16`) and the trace (`__v17`), recomputes `a * x[i]` and its
    // sine, then matches on the trace; the else arm reads `t.exp()` (`__v14`), which it saved.
    let got = crate::expand::reverse_program(quote!(), branch_in_a_loop());
    let expected = "
        let __a19 = __c0 ;
        let mut __a1 = :: tapeless :: __private :: zero_tangent (& __v1) ;
        let mut __acarry6 = __a19 ;
        loop __v5 backward
          pop __v6, __v16, __v17
          recompute __v7, __v8, __v9
          let __a18 = __acarry6 ;
          let __a16 = __a18 * __v1 ;
          __a1 += __v16 * __a18 ;
          let mut __a6 = :: tapeless :: __private :: zero_tangent (& __v6) ;
          let mut __a9 = :: tapeless :: __private :: zero_tangent (& __v9) ;
          match __v17
            then saves nothing
              let __a13 = __a16 ;
              __a6 += __a13 ;
              let __a12 = __a13 ;
              __a9 += __a12 * __v9 ;
              __a9 += __v9 * __a12 ;
            else saves __v14
              let __a15 = __a16 ;
              __a6 += __a15 ;
              let __a14 = - __a15 ;
              __a9 += __tapeless_rules :: exp_d0 (__v14 , __v14) * __a14 ;
          let __a8 = __tapeless_rules :: sin_d0 (__v8 , __v8) * __a9 ;
          __a1 += __a8 * __v7 ;
          let __a7 = __v1 * __a8 ;
          :: tapeless :: __private :: accumulate (& mut __a0 [__v5] , __a7) ;
          __acarry6 = __a6 ;
    ";
    // The expected lines, without the 8 spaces of the source's indentation.
    let expected: String = expected
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{}\n", l.strip_prefix("        ").unwrap_or(l)))
        .collect();
    assert_eq!(got, expected, "\n--- got ---\n{got}");
}

#[test]
fn plan_lends_a_built_array_to_its_adjoint_only_when_the_sweep_never_reads_it() {
    // `y` is built by the function and read only linearly: `_grad` gives its storage to `ȳ`.
    // Squared, its entries are read backward (recomputed from `y`), so it keeps its storage.
    let h = |read: proc_macro2::TokenStream| {
        quote! {
            fn h(x: &[f64]) -> f64 {
                let mut y = vec![0.0; x.len()];
                for i in 0..x.len() { y[i] = x[i] * 2.0; }
                let mut s = 0.0;
                for i in 0..y.len() { s += #read; }
                s
            }
        }
    };
    let loops = "
        loop v6: backward; pops nothing; recomputes v8
        loop v13: forward; pops nothing; recomputes v15
    ";
    expect_plan(quote!(), h(quote!(3.0 * y[i])), &format!("{loops}\nstorage lent to adjoints in _grad: v3"));
    expect_plan(quote!(), h(quote!(y[i] * y[i])), &loops.replace("v15", "v15, v16"));
}

#[test]
fn plan_of_straight_line_code_is_empty_but_for_fused_sums_and_errors_are_reported() {
    expect_plan(
        quote!(),
        quote!(
            fn q(x: f64, y: f64) -> f64 {
                let z = x * y;
                z.sin() + y
            }
        ),
        "",
    );
    // A product only summed: its adjoint stays the sum's cotangent, one scalar.
    expect_plan(
        quote!(),
        quote!(
            fn s(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
                (a * b).sum()
            }
        ),
        "sums kept as one scalar: v2",
    );
    let got = crate::expand::reverse_plan(
        quote!(),
        quote!(
            fn r(x: f64) -> f64 {
                if x > 0.0 { x } else { -x }
            }
        ),
    );
    assert!(got.starts_with("error: this `if` condition depends on a differentiable value"), "{got}");
}

/// `_hvp` of a function of floats and slices is printed as forward mode over the adjoint
/// program (its adjoints' tangents `__h..`, no dual-number copy called), also with a loop and
/// with calls by path; of a `DVector`, or with a method call, it is still the copy's.
#[test]
fn an_hvp_is_printed_over_loops_and_a_vectors_is_the_copys() {
    let hvp = |item: proc_macro2::TokenStream| {
        let out = crate::expand::differentiable(quote!(hessian), item).to_string();
        let hvp = out
            .split("fn f_hvp")
            .nth(1)
            .unwrap_or_default()
            .split("fn f_hessian")
            .next()
            .unwrap_or_default()
            .to_string();
        {
            let tangents =
                hvp.match_indices("__h").any(|(i, _)| hvp[i + 3..].starts_with(|c: char| c.is_ascii_digit()));
            (tangents, hvp.contains("__tapeless_f_grad_dual"))
        }
    };
    assert_eq!(
        hvp(quote!(
            fn f(x: f64, p: &[f64]) -> f64 {
                (x * p[0]).sin() / p[1]
            }
        )),
        (true, false)
    );
    let looped = quote!(
        fn f(p: &[f64]) -> f64 {
            let mut s = 0.0;
            for i in 0..p.len() {
                s += p[i].exp();
            }
            s
        }
    );
    assert_eq!(hvp(looped), (true, false));
    // `std::f64::consts::PI` is a float (`analysis::scalars`), so its products have tangents.
    let constant = quote!(
        fn f(x: f64) -> f64 {
            // (A product by one, `x * LN_2`, reads its value, not a tangent.)
            (2.0 * std::f64::consts::PI * x).cos() * x * std::f64::consts::LN_2
        }
    );
    assert_eq!(hvp(constant), (true, false));
    let vector = quote!(
        fn f(v: &nalgebra::DVector<f64>) -> f64 {
            v.dot(v).sin()
        }
    );
    assert_eq!(hvp(vector), (false, true));
    // A call by path is made through the callee's `_vjp_for_hessian`; `tapeless::math::erf`
    // through the runtime's dual `erf_vjp`.
    let call = quote!(
        fn f(x: f64, p: &[f64]) -> f64 {
            g(x, p) * x + tapeless::math::erf(x)
        }
    );
    let out = crate::expand::differentiable(quote!(hessian), call.clone()).to_string();
    let printed = out.split("fn f_hvp").nth(1).unwrap_or_default();
    assert!(printed.contains("g_vjp_for_hessian") && printed.contains("dual_math :: erf_vjp"), "{printed}");
    assert_eq!(hvp(call), (true, false));
    // A method call is not printed yet: the copy's.
    let method = quote!(
        fn f(x: f64, m: &Model) -> f64 {
            m.g(x) * x
        }
    );
    let out = crate::expand::differentiable(quote!(hessian, wrt(x)), method).to_string();
    let copy = out.split("fn f_hvp").nth(1).unwrap_or_default().split("fn f_hessian").next();
    assert!(copy.unwrap_or_default().contains("__tapeless_f_grad_dual"), "{out}");
}
