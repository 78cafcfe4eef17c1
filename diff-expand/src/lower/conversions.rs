//! Conversions between float types that carry a derivative: `T::from_f64(x).unwrap()`,
//! `T::from(x).unwrap()`, `x.to_f64().unwrap()`, `x.into()`, `f64::from(x)`,
//! `nalgebra::convert(x)`, each the `<as float>` rule with its primal kept as written.

use super::*;

/// The primal of a conversion, given the converted value's tokens.
type Primal<'a> = Box<dyn Fn(TokenStream) -> TokenStream + 'a>;

/// The conversions between float types that carry a derivative: `T::from_f64(x).unwrap()`,
/// `T::from(x).unwrap()` (`NumCast`), `x.to_f64().unwrap()`, `x.into()`, `f64::from(x)`,
/// `nalgebra::convert(x)`. `.expect(..)` may stand for `.unwrap()`. Returns the converted
/// expression and the primal with `arg` in its place.
fn conversion_parts(e: &Expr) -> Option<(&Expr, Primal<'_>)> {
    match e {
        Expr::MethodCall(m) if m.method == "into" && m.args.is_empty() && m.turbofish.is_none() => {
            let method = &m.method;
            Some((&m.receiver, Box::new(move |x| quote!(#x.#method()))))
        }
        Expr::MethodCall(m) if unwraps(m) => {
            let (method, args) = (&m.method, &m.args);
            match &*m.receiver {
                Expr::MethodCall(inner)
                    if matches!(inner.method.to_string().as_str(), "to_f64" | "to_f32")
                        && inner.args.is_empty() =>
                {
                    let to = &inner.method;
                    Some((&inner.receiver, Box::new(move |x| quote!(#x.#to().#method(#args)))))
                }
                Expr::Call(c) if c.args.len() == 1 => {
                    let Expr::Path(path) = &*c.func else { return None };
                    let segments: Vec<String> =
                        path.path.segments.iter().map(|s| s.ident.to_string()).collect();
                    let from = matches!(segments.last()?.as_str(), "from" | "from_f64" | "from_f32");
                    let owner = segments.len() >= 2 && {
                        let owner = segments[segments.len() - 2].as_str();
                        crate::signature::float_type_or_trait(owner)
                            || matches!(owner, "NumCast" | "FromPrimitive")
                    };
                    (from && (owner || path.qself.is_some()))
                        .then(|| {
                            let f = &c.func;
                            Box::new(move |x| quote!(#f(#x).#method(#args))) as Primal
                        })
                        .map(|f| (&c.args[0], f))
                }
                _ => None,
            }
        }
        Expr::Call(c) if c.args.len() == 1 => {
            let Expr::Path(path) = &*c.func else { return None };
            let segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
            let convert = segments.len() == 2
                && segments[1] == "convert"
                && matches!(segments[0].as_str(), "nalgebra" | "na");
            let from =
                segments.len() == 2 && matches!(segments[0].as_str(), "f32" | "f64") && segments[1] == "from";
            (convert || from).then(|| {
                let f = &c.func;
                (&c.args[0], Box::new(move |x| quote!(#f(#x))) as Primal)
            })
        }
        _ => None,
    }
}

impl Lowerer<'_> {
    /// A conversion between float types ([`conversion_parts`]): the `<as float>` rule, whose
    /// tangent and adjoint are converted like the value. Of a constant it is a constant.
    pub(super) fn conversion(&mut self, e: &Expr) -> Option<Tree> {
        let (arg, primal) = conversion_parts(e)?;
        let span = Loc::of_expr(e);
        let x = self.value(arg);
        if matches!(self.kind(x), Kind::Array(_) | Kind::Heap) {
            return Some(self.unsupported(span, unsupported::CONVERTING_VALUE));
        }
        let xi = x.ident();
        let form = Form::Verbatim(primal(quote!(#xi)));
        let op = Op::Prim { rule: rules::operator("<as float>"), args: vec![x], form };
        Some(Tree::Leaf(self.emit(op, span, Kind::Float)))
    }
}
