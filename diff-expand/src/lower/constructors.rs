//! Dynamic vectors built from a closure, a `Vec` or an iterator chain: `DVector::from_fn(n, |i, _|
//! ..)`, `DVector::from_vec(v)` (also of `v.to_vec()`, and `from_column_slice(&v)`) and
//! `DVector::from_iterator(n, chain)` are the vector of zeros
//! filled by index in a loop, which the lowering differentiates (entries written at computed indices
//! add their adjoints in place):
//!
//! ```text
//! DVector::from_fn(n, |i, _| body)  =>  { let mut m = DVector::zeros(n);
//!                                         for i in 0..n { m[i] = body; } m }
//! ```
//!
//! A static vector from a slice (`Vector3::from_column_slice(&x[..3])`) is the vector of zeros
//! written from the slice's elements.
//!
//! `let v: [f64; N] = std::array::from_fn(|i| body);` is likewise `let mut v = [0.0; N];`
//! filled in a loop (its length is the annotation's: without one, rustc infers it from uses the
//! macro does not follow).

use super::*;

impl Lowerer<'_> {
    /// `M::from_diagonal(&v)` and `M::from_diagonal_element(..)` of a square static `M`, or a
    /// `DMatrix`, whose entries may be differentiated, as the matrices they build:
    ///
    /// ```text
    /// Matrix3::from_diagonal(&v)                =>  Matrix3::from_fn(|i, j| if i == j { v[i] } else { 0.0 })
    /// DMatrix::from_diagonal(&v)                =>  { let n = v.len(); DMatrix::from_fn(n, n, ..) }
    /// Matrix3::from_diagonal_element(s)         =>  Matrix3::identity() * s
    /// DMatrix::from_diagonal_element(r, c, s)   =>  DMatrix::identity(r, c) * s
    /// ```
    ///
    /// A constant diagonal stays as written (`None`).
    fn diagonal_constructor(
        &mut self,
        c: &syn::ExprCall,
        path: &syn::ExprPath,
        ty: &syn::PathSegment,
        last: &syn::PathSegment,
    ) -> Option<Tree> {
        let square = crate::signature::any_static_size(ty).is_some_and(|(rows, columns)| rows == columns);
        let dynamic = ty.ident == "DMatrix";
        let args: Vec<&Expr> = c.args.iter().collect();
        if !(square || dynamic) || !args.iter().any(|a| self.may_be_differentiated(a)) {
            return None;
        }
        let s = Loc::of(c).span();
        let mut ty_path = path.path.clone();
        ty_path.segments.pop();
        ty_path.segments.pop_punct();
        let float = &self.element;
        let zero: Expr = if matches!(float, syn::Type::Path(p) if p.path.is_ident("f64") || p.path.is_ident("f32"))
        {
            syn::parse_quote_spanned!(s=> 0.0)
        } else {
            syn::parse_quote_spanned!(s=> <#float as ::tapeless::__private::Real>::zero())
        };
        let hidden = |name: &str| syn::Ident::new(name, proc_macro2::Span::mixed_site().located_at(s));
        let (v, i, j, n) = (
            hidden("__tapeless_diagonal"),
            hidden("__tapeless_i"),
            hidden("__tapeless_j"),
            hidden("__tapeless_n"),
        );
        let by_value = |d: &Expr| match d {
            Expr::Reference(r) if r.mutability.is_none() => (*r.expr).clone(),
            d => d.clone(),
        };
        let built: Expr = match (last.ident.to_string().as_str(), &args[..]) {
            // (The diagonal is bound by value: the IR holds a `DVector` once, however named.)
            ("from_diagonal", [d]) if square => {
                let d = by_value(d);
                syn::parse_quote_spanned!(s=> {
                    let #v = #d;
                    #ty_path::from_fn(|#i, #j| if #i == #j { #v[#i] } else { #zero })
                })
            }
            ("from_diagonal", [d]) => {
                let d = by_value(d);
                syn::parse_quote_spanned!(s=> {
                    let #v = #d;
                    let #n = #v.len();
                    #ty_path::from_fn(#n, #n, |#i, #j| if #i == #j { #v[#i] } else { #zero })
                })
            }
            ("from_diagonal_element", [e]) if square => {
                syn::parse_quote_spanned!(s=> #ty_path::identity() * (#e))
            }
            ("from_diagonal_element", [r, k, e]) if dynamic => {
                syn::parse_quote_spanned!(s=> #ty_path::identity(#r, #k) * (#e))
            }
            _ => return None,
        };
        Some(self.expr(&built))
    }

    /// The desugared constructor, lowered; `None` if `c` is not one of the forms above.
    pub(super) fn dynamic_constructor(&mut self, c: &syn::ExprCall) -> Option<Tree> {
        let Expr::Path(path) = &*c.func else { return None };
        let segments: Vec<&syn::PathSegment> = path.path.segments.iter().collect();
        let [.., ty, last] = segments[..] else { return None };
        let ty_name = ty.ident.to_string();
        if path.qself.is_some() {
            return None;
        }
        if let Some(t) = self.diagonal_constructor(c, path, ty, last) {
            return Some(t);
        }
        // A static vector from a slice: `Vector3::from_column_slice(&x[..3])`.
        if crate::signature::any_static_size(ty).is_some_and(|(_, columns)| columns == 1) {
            return self.static_from_slice(c, path, last);
        }
        // A `DVector`, or a `DMatrix` from a closure: written by linear index, column by column
        // (nalgebra's `Index<usize>` of a matrix).
        let args: Vec<&Expr> = c.args.iter().collect();
        let matrix_from_fn =
            ty_name == "DMatrix" && last.ident == "from_fn" && matches!(args[..], [_, _, Expr::Closure(_)]);
        let matrix_from_slice = ty_name == "DMatrix"
            && matches!(last.ident.to_string().as_str(), "from_column_slice" | "from_row_slice" | "from_vec")
            && args.len() == 3;
        if ty_name != "DVector" && !matrix_from_fn && !matrix_from_slice {
            return None;
        }
        let s = Loc::of(c).span();
        let m = syn::Ident::new("__tapeless_built", proc_macro2::Span::mixed_site().located_at(s));
        let ty_path = {
            let mut p = path.path.clone();
            p.segments.pop();
            p.segments.pop_punct();
            p
        };
        let block: Expr = match (last.ident.to_string().as_str(), &args[..]) {
            ("from_fn", [rows, columns, Expr::Closure(f)]) => {
                let [i, j] = closure_indices(f)?;
                let (i, j) =
                    (rename_wild(i, "__tapeless_row_index", s), rename_wild(j, "__tapeless_column_index", s));
                let body = &f.body;
                let k = syn::Ident::new("__tapeless_k", proc_macro2::Span::mixed_site().located_at(s));
                let r = syn::Ident::new("__tapeless_rows", proc_macro2::Span::mixed_site().located_at(s));
                syn::parse_quote_spanned!(s=> {
                    let #r: usize = #rows;
                    let mut #m = #ty_path::zeros(#r, #columns);
                    for #j in 0..#m.ncols() {
                        for #i in 0..#r {
                            let #k = #i + #j * #r;
                            #m[#k] = #body;
                        }
                    }
                    #m
                })
            }
            ("from_fn", [rows, Expr::Closure(f)]) => {
                let [i, j] = closure_indices(f)?;
                let body = &f.body;
                syn::parse_quote_spanned!(s=> {
                    let mut #m = #ty_path::zeros(#rows);
                    for #i in 0..#m.len() {
                        let #j = 0usize;
                        #m[#i] = #body;
                    }
                    #m
                })
            }
            // `DVector::from_vec(v)` of a local `Vec` or slice (a name: read twice), also of
            // `v.to_vec()`/`v.clone()`, and `DVector::from_column_slice(&v)`/`from_row_slice`.
            ("from_vec" | "from_column_slice" | "from_row_slice", [v])
                if let v @ Expr::Path(_) = copied_array(v)
                    && self.indexable(v) =>
            {
                let k = syn::Ident::new("__tapeless_k", proc_macro2::Span::mixed_site().located_at(s));
                syn::parse_quote_spanned!(s=> {
                    let mut #m = #ty_path::zeros(#v.len());
                    for #k in 0..#v.len() {
                        #m[#k] = #v[#k];
                    }
                    #m
                })
            }
            // `DVector::from_column_slice(&p[a..b])` of a part of a local array or vector.
            ("from_vec" | "from_column_slice" | "from_row_slice", [v])
                if let Some((base, start, len)) = self.flat_source(v) =>
            {
                let k = syn::Ident::new("__tapeless_k", proc_macro2::Span::mixed_site().located_at(s));
                let o = syn::Ident::new("__tapeless_start", proc_macro2::Span::mixed_site().located_at(s));
                syn::parse_quote_spanned!(s=> {
                    let #o: usize = #start;
                    let mut #m = #ty_path::zeros(#len);
                    for #k in 0..#m.len() {
                        #m[#k] = #base[#o + #k];
                    }
                    #m
                })
            }
            // `DMatrix::from_column_slice(r, c, p.as_slice())` (also `from_vec`, column by column,
            // and `from_row_slice`, row by row) of a local array or vector or a part of one
            // (`&p[6..12]`): a flat parameter vector read as a matrix, entry by entry. The length
            // must be `r * c`, as nalgebra asserts.
            ("from_vec" | "from_column_slice" | "from_row_slice", [rows, columns, v]) => {
                let (base, start, len) = self.flat_source(v)?;
                let hidden = |n: &str| syn::Ident::new(n, proc_macro2::Span::mixed_site().located_at(s));
                let (i, j, r, c, o) = (
                    hidden("__tapeless_i"),
                    hidden("__tapeless_j"),
                    hidden("__tapeless_rows"),
                    hidden("__tapeless_columns"),
                    hidden("__tapeless_start"),
                );
                let entry: Expr = if last.ident == "from_row_slice" {
                    syn::parse_quote_spanned!(s=> #base[#o + #i * #c + #j])
                } else {
                    syn::parse_quote_spanned!(s=> #base[#o + #i + #j * #r])
                };
                syn::parse_quote_spanned!(s=> {
                    let #r: usize = #rows;
                    let #c: usize = #columns;
                    let #o: usize = #start;
                    assert!(#len == #r * #c, "the slice's length is not the number of the matrix's entries");
                    let mut #m = #ty_path::zeros(#r, #c);
                    for #j in 0..#c {
                        for #i in 0..#r {
                            #m[#i + #j * #r] = #entry;
                        }
                    }
                    #m
                })
            }
            // `DVector::from_iterator(n, chain)`: the chain's first `n` elements, written by
            // index (`for_each` is a loop); fewer than `n` panics, as `from_iterator` does.
            ("from_iterator", [rows, chain]) => {
                let k = syn::Ident::new("__tapeless_k", proc_macro2::Span::mixed_site().located_at(s));
                let e = syn::Ident::new("__tapeless_e", proc_macro2::Span::mixed_site().located_at(s));
                let count =
                    syn::Ident::new("__tapeless_count", proc_macro2::Span::mixed_site().located_at(s));
                syn::parse_quote_spanned!(s=> {
                    let mut #m = #ty_path::zeros(#rows);
                    let mut #count = 0usize;
                    (#chain).take(#m.len()).enumerate().for_each(|(#k, #e)| {
                        #m[#k] = #e;
                        #count += 1;
                    });
                    assert!(#count == #m.len(), "`from_iterator`: the iterator has fewer elements than the vector");
                    #m
                })
            }
            _ => return None,
        };
        // The matrix is written by index: held as an array (`statements::local_stmt`).
        self.indexed.insert(m.to_string());
        Some(self.expr(&block))
    }
}

impl Lowerer<'_> {
    /// A static matrix of `rows x columns` from its `entries` (row by row), as
    /// `nalgebra::Matrix2::new(..)` assembles it.
    pub(super) fn assembled(
        &mut self,
        rows: usize,
        columns: usize,
        entries: Vec<Value>,
        at: proc_macro2::Span,
        span: Loc,
        results: &TupleShape,
    ) -> Tree {
        let alias = match (rows, columns) {
            (n, 1) => format!("Vector{n}"),
            (r, k) if r == k => format!("Matrix{r}"),
            (r, k) => format!("Matrix{r}x{k}"),
        };
        let alias = syn::Ident::new(&alias, at);
        let new: syn::Path = syn::parse_quote!(::nalgebra::#alias::new);
        self.prim(rules::operator("<new>"), entries, Form::Path(new), span, results)
    }

    /// `Matrix3::from_columns(&[a, b, c])` and `Matrix2x3::from_rows(&[r0, r1])` of a static
    /// size written in the path: the entries read from the parts (`a[1]` is row 1 of column
    /// 0), assembled ([`Self::assembled`]). `None` for another call, or parts not written as
    /// an array of the right length (kept as a nalgebra function: our error on a
    /// differentiable value).
    pub(super) fn matrix_of_parts(
        &mut self,
        c: &syn::ExprCall,
        span: Loc,
        results: &TupleShape,
    ) -> Option<Tree> {
        let Expr::Path(path) = &*c.func else { return None };
        let segments: Vec<&syn::PathSegment> = path.path.segments.iter().collect();
        let [.., ty, last] = segments[..] else { return None };
        let by_columns = match last.ident.to_string().as_str() {
            "from_columns" => true,
            "from_rows" => false,
            _ => return None,
        };
        let (rows, columns) = crate::signature::static_size(ty)?;
        let [arg] = c.args.iter().collect::<Vec<_>>()[..] else { return None };
        let array = match arg {
            Expr::Reference(r) => &*r.expr,
            e => e,
        };
        let Expr::Array(parts) = array else { return None };
        let parts: Vec<&Expr> = parts.elems.iter().collect();
        if parts.len() != if by_columns { columns } else { rows } {
            return None;
        }
        let mut entries = Vec::new();
        for r in 0..rows {
            for k in 0..columns {
                let (part, index) = if by_columns { (parts[k], r) } else { (parts[r], k) };
                let entry: Expr = syn::parse_quote_spanned!(Loc::of(part).start=> (#part)[#index]);
                entries.push(self.value(&entry));
            }
        }
        Some(self.assembled(rows, columns, entries, ty.ident.span(), span, results))
    }

    /// `t.map(|ti| p[0] * (-p[1] * ti).exp() + p[2])` of a `DVector` parameter, whose closure
    /// reads other values than its argument (the residuals of a least-squares fit): the same
    /// vector from the closure at each index, which is lowered in place (so it may read any
    /// value), where `map`'s closure becomes a function of its own that reads nothing else:
    ///
    /// ```text
    /// t.map(|ti| body)  =>  DVector::from_fn(t.len(), |k, _| { let ti = t[k]; body })
    /// ```
    ///
    /// `None` (the general `map`) for a closure reading nothing else, or a receiver that is not
    /// a parameter typed `DVector` (a matrix's `map` keeps its shape, which `from_fn` of a
    /// vector would not).
    pub(super) fn map_by_index(&mut self, receiver: &Expr, closure: &syn::ExprClosure) -> Option<Tree> {
        let Expr::Path(r) = receiver else { return None };
        r.path.get_ident()?;
        let (ident, annotation) = super::maps::map_param(closure).ok()?;
        self.captured_local(closure, &ident)?;
        // The vector type as the parameter names it, without its arguments (`DVector`,
        // `nalgebra::DVector`).
        let v = self.aggregate_or_leaf(receiver)?;
        let mut ty = self.param_types.get(&v)?;
        while let syn::Type::Reference(inner) = ty {
            ty = &inner.elem;
        }
        let syn::Type::Path(tp) = ty else { return None };
        let mut path = tp.path.clone();
        let last = path.segments.last_mut()?;
        if tp.qself.is_some() || last.ident != "DVector" {
            return None;
        }
        last.arguments = syn::PathArguments::None;
        let s = Loc::of(closure).span();
        let k = syn::Ident::new("__tapeless_k", proc_macro2::Span::mixed_site().located_at(s));
        let body = &closure.body;
        let annotation = annotation.map(|t| quote::quote!(: #t));
        let call: Expr = syn::parse_quote_spanned!(s=>
            #path::from_fn(#receiver.len(), |#k, _| { let #ident #annotation = #receiver[#k]; #body })
        );
        Some(self.expr(&call))
    }

    /// `Vector3::from_column_slice(&x[a..b])` (also `from_row_slice`, `from_vec`, of `&x`, `x`,
    /// `&x[a..]`, `&x[..b]`, `x.to_vec()`) of a local array or a slice parameter: the static
    /// vector of zeros written by index from the slice's first elements, after nalgebra's own
    /// length check (`from_row_slice` wants the exact length, the others at least it).
    ///
    /// ```text
    /// Vector3::from_column_slice(&x[a..b])  =>  { let mut m = Vector3::zeros();
    ///                                             assert!(b - a >= m.len(), ..);
    ///                                             for k in 0..m.len() { m[k] = x[a + k]; } m }
    /// ```
    fn static_from_slice(
        &mut self,
        c: &syn::ExprCall,
        path: &syn::ExprPath,
        last: &syn::PathSegment,
    ) -> Option<Tree> {
        let name = last.ident.to_string();
        let [arg] = &c.args.iter().collect::<Vec<_>>()[..] else { return None };
        if !matches!(
            name.as_str(),
            "from_column_slice" | "from_row_slice" | "from_vec" | "from_slice" | "from"
        ) {
            return None;
        }
        let s = Loc::of(c).span();
        let ident = |n: &str| syn::Ident::new(n, proc_macro2::Span::mixed_site().located_at(s));
        let (m, k) = (ident("__tapeless_built"), ident("__tapeless_k"));
        let ty_path = {
            let mut p = path.path.clone();
            p.segments.pop();
            p.segments.pop_punct();
            p
        };
        // `Vector3::from([a, b, c])`, `Vector3::from(*x)` of an array (`From<[T; D]>`, whose
        // length the type checks): entry by entry.
        let arg = match (name.as_str(), strip_parens(arg)) {
            ("from", Expr::Array(a)) => {
                let (entries, values) = ((0..a.elems.len()).map(syn::Index::from), a.elems.iter());
                return Some(self.expr(&syn::parse_quote_spanned!(s=> {
                    let mut #m = #ty_path::zeros();
                    #(#m[#entries] = #values;)*
                    #m
                })));
            }
            ("from", Expr::Unary(u)) if matches!(u.op, syn::UnOp::Deref(_)) => &*u.expr,
            ("from", arg @ Expr::Path(_)) => arg,
            ("from", _) => return None,
            (_, _) => *arg,
        };
        // The array read, where the slice starts in it, and the slice's length.
        // (`copied_array` has taken off the `&`, `to_vec()` and a full range.)
        let (base, start, len): (Expr, Expr, Expr) = match copied_array(arg) {
            Expr::Index(ix) if let Some((start, len)) = super::expressions::range_part(ix) => {
                ((*ix.expr).clone(), start, len)
            }
            base @ Expr::Path(_) => (base.clone(), syn::parse_quote!(0usize), syn::parse_quote!(#base.len())),
            _ => return None,
        };
        if !matches!(base, Expr::Path(_)) || self.local_array(&base).is_none() {
            return None;
        }
        // nalgebra's checks: a row-major slice of exactly the vector's length; the others read
        // the first elements of an iterator that must be long enough.
        let check: syn::Stmt = if name == "from_row_slice" {
            syn::parse_quote_spanned!(s=> assert!(#len == #m.len(), "Matrix init. error: the slice did not contain the right number of elements.");)
        } else {
            syn::parse_quote_spanned!(s=> assert!(#len >= #m.len(), "Matrix init. from iterator: iterator not long enough.");)
        };
        let block: Expr = syn::parse_quote_spanned!(s=> {
            let mut #m = #ty_path::zeros();
            #check
            for #k in 0..#m.len() {
                #m[#k] = #base[#start + #k];
            }
            #m
        });
        self.indexed.insert(m.to_string());
        Some(self.expr(&block))
    }

    /// `let v: [f64; N] = std::array::from_fn(|i| body);` (also `core::array::from_fn`,
    /// `array::from_fn`), desugared and lowered; `false` (nothing done) for another statement.
    pub(super) fn array_from_fn(&mut self, local: &syn::Local) -> bool {
        let (Pat::Type(pt), Some(init)) = (&local.pat, &local.init) else { return false };
        let (syn::Type::Array(array), Expr::Call(c), None) = (&*pt.ty, &*init.expr, &init.diverge) else {
            return false;
        };
        let Expr::Path(path) = &*c.func else { return false };
        let names: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
        let from_fn = names.ends_with(&["array".to_string(), "from_fn".to_string()]);
        // Of `f32` or `f64` (a zero of a generic `T` is not a literal).
        let float = ["f64", "f32"]
            .into_iter()
            .find(|f| matches!(&*array.elem, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident(f)));
        let (true, Some(float), [Expr::Closure(f)]) =
            (from_fn, float, &c.args.iter().collect::<Vec<_>>()[..])
        else {
            return false;
        };
        let [index] = f.inputs.iter().collect::<Vec<_>>()[..] else { return false };
        let (name, len, body, s) = (&pt.pat, &array.len, &f.body, Loc::of(c).span());
        let zero = syn::LitFloat::new(&format!("0.0{float}"), s);
        let i = syn::Ident::new("__tapeless_i", proc_macro2::Span::mixed_site().located_at(s));
        let stmts: Vec<Stmt> = syn::parse_quote_spanned!(s=>
            let mut #name = [#zero; #len];
            for #i in 0..#len {
                let #index = #i;
                #name[#i] = #body;
            }
        );
        self.stmts(&stmts, false);
        true
    }
}

/// The array a vector's constructor copies: `v` of `v`, `&v`, `v.to_vec()`, `v.clone()`,
/// `v.as_slice()`, `&v[..]` (parentheses dropped).
fn copied_array(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => copied_array(&p.expr),
        Expr::Reference(r) if r.mutability.is_none() => match &*r.expr {
            Expr::Index(ix) if matches!(&*ix.index, Expr::Range(r) if r.start.is_none() && r.end.is_none()) => {
                copied_array(&ix.expr)
            }
            inner => copied_array(inner),
        },
        Expr::MethodCall(m)
            if m.args.is_empty()
                && ["to_vec", "clone", "as_slice", "to_owned"].contains(&&*m.method.to_string()) =>
        {
            copied_array(&m.receiver)
        }
        e => e,
    }
}

impl Lowerer<'_> {
    /// Whether `e` is a local array or a `DVector`/`DMatrix` (read by linear index).
    fn indexable(&mut self, e: &Expr) -> bool {
        self.local_array(e).is_some() || self.aggregate_or_leaf(e).is_some_and(|v| self.kind(v) == Kind::Heap)
    }

    /// A local array or `DVector`/`DMatrix` read whole (`p.as_slice()`, `&v`, `v.to_vec()`) or a
    /// part of one (`&p[a..b]`, also `&p.as_slice()[a..]`, `&p[..b]`): the array, the start and
    /// the length read. `None` for another expression.
    fn flat_source(&mut self, e: &Expr) -> Option<(Expr, Expr, Expr)> {
        let s = Loc::of(e).span();
        if let v @ Expr::Path(_) = copied_array(e)
            && self.indexable(v)
        {
            return Some((
                v.clone(),
                syn::parse_quote_spanned!(s=> 0usize),
                syn::parse_quote_spanned!(s=> #v.len()),
            ));
        }
        let Expr::Reference(r) = strip_parens(e) else { return None };
        let Expr::Index(ix) = &*r.expr else { return None };
        let Expr::Range(range) = &*ix.index else { return None };
        let base = copied_array(&ix.expr);
        if !matches!(base, Expr::Path(_)) || !self.indexable(base) {
            return None;
        }
        let start: Expr = match &range.start {
            Some(a) => syn::parse_quote_spanned!(s=> (#a)),
            None => syn::parse_quote_spanned!(s=> 0usize),
        };
        let end: Expr = match (&range.end, &range.limits) {
            (Some(b), syn::RangeLimits::Closed(_)) => syn::parse_quote_spanned!(s=> (#b) + 1),
            (Some(b), _) => syn::parse_quote_spanned!(s=> (#b)),
            (None, _) => syn::parse_quote_spanned!(s=> #base.len()),
        };
        let len = syn::parse_quote_spanned!(s=> (#end - #start));
        Some((base.clone(), start, len))
    }
}

/// `p`, or a binding named `name` where `p` is `_` (an index the body ignores but the
/// desugared loop reads).
fn rename_wild(p: Pat, name: &str, s: proc_macro2::Span) -> Pat {
    match p {
        Pat::Wild(_) => {
            let ident = syn::Ident::new(name, proc_macro2::Span::mixed_site().located_at(s));
            syn::parse_quote!(#ident)
        }
        p => p,
    }
}

/// The two index patterns of `|i, j| ..` (`_` for one not read), as patterns a `let` and a
/// `for` accept; `None` for any other closure.
fn closure_indices(f: &syn::ExprClosure) -> Option<[Pat; 2]> {
    let [a, b] = f.inputs.iter().collect::<Vec<_>>()[..] else { return None };
    let index = |p: &Pat| match p {
        Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() => Some(p.clone()),
        Pat::Wild(_) => Some(p.clone()),
        Pat::Type(t) => match &*t.pat {
            p @ (Pat::Ident(_) | Pat::Wild(_)) => Some(p.clone()),
            _ => None,
        },
        _ => None,
    };
    Some([index(a)?, index(b)?])
}

impl Lowerer<'_> {
    /// `Pair(a, b)` of a tuple struct the crate defines, or `Self(a, b)` in a method of one: built
    /// as `Pair { 0: a, 1: b }` is (it was a call of a differentiable `Pair`, rustc's "no
    /// `Pair_vjp`", until the fiftieth session). `None` for another call.
    pub(super) fn tuple_struct(
        &mut self,
        path: &syn::ExprPath,
        args: &syn::punctuated::Punctuated<Expr, syn::Token![,]>,
        span: Loc,
    ) -> Option<Tree> {
        let last = path.path.segments.last()?.ident.to_string();
        let ours = path.qself.is_none()
            && last.starts_with(|c: char| c.is_ascii_uppercase())
            && (crate::signature::types::defined_in_crate(&last) || path.path.is_ident("Self"));
        if !ours {
            return None;
        }
        let fields = args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                (syn::Member::Unnamed(syn::Index { index: i as u32, span: Loc::of(a).span() }), self.value(a))
            })
            .collect();
        Some(Tree::Leaf(self.construct(Some(path.path.clone()), fields, span)))
    }
}
