//! nalgebra's geometry read as the linear algebra it is: a constant rotation or rigid motion's
//! `transform_vector`/`transform_point` (and inverses) as its product, `Point3::from(v)` as the
//! point at `v`, and `Unit::new_normalize(v)` as `v.normalize()`, the unit vector held as the
//! vector it wraps (`Lowerer::unit_values`).

use super::*;

impl Lowerer<'_> {
    /// A method call of geometry on a value (`q.transform_vector(&v)`, `u.into_inner()`), if `m`
    /// is one.
    pub(super) fn geometry_method(&mut self, m: &syn::ExprMethodCall) -> Option<Tree> {
        // `q.transform_vector(&v)`, `iso.transform_point(&p)` (and their inverses) of a rotation
        // or rigid motion parameter held constant: `q * v` (the runtime's products of those by
        // vectors and points), `q.inverse() * v`.
        if let Some(motion) = self.motion_transform(m) {
            return Some(self.expr(&motion));
        }
        // `u.into_inner()`, `u.as_ref()` of a unit vector made by `Unit::new_normalize`: the
        // vector itself.
        if matches!(m.method.to_string().as_str(), "into_inner" | "as_ref") && m.args.is_empty() {
            return self
                .aggregate_or_leaf(&m.receiver)
                .filter(|u| self.unit_values.contains(u))
                .map(Tree::Leaf);
        }
        None
    }

    /// A call of a geometry constructor (`Point3::from(v)`, `Unit::new_normalize(v)`), if `c`
    /// (named by `segments`) is one.
    pub(super) fn geometry_call(
        &mut self,
        c: &syn::ExprCall,
        segments: &[String],
        span: Loc,
        results: &TupleShape,
    ) -> Option<Tree> {
        let args: Vec<&Expr> = c.args.iter().collect();
        let ([.., ty, last], [v]) = (segments, &args[..]) else { return None };
        // `Point3::from(v)` of a vector: the point at those coordinates (its tangent and adjoint
        // are the vector's, as `p.coords` reads them).
        if last == "from" && crate::signature::point_dimension(ty).is_some() && self.vector_base(v) {
            let base = self.value(v);
            let (b, func) = (base.ident(), &c.func);
            let form = Form::Verbatim(quote::quote_spanned!(span.span()=> #func(#b)));
            return Some(self.prim(rules::operator("<typed>"), vec![base], form, span, results));
        }
        // `Unit::new_normalize(v)` (`UnitVector3::..`): `v.normalize()`, held as the vector it
        // wraps (`into_inner`, `as_ref` and `*u` read it; methods reach it as through `Deref`).
        if last == "new_normalize" && ty.starts_with("Unit") {
            let normalized: Expr = syn::parse_quote_spanned!(span.span()=> (#v).normalize());
            let t = self.expr(&normalized);
            if let Tree::Leaf(u) = t {
                self.unit_values.insert(u);
            }
            return Some(t);
        }
        None
    }

    /// `q.transform_vector(&v)` (`transform_point`, `inverse_transform_vector`,
    /// `inverse_transform_point`) of a parameter whose type is a rotation or rigid motion
    /// (`&UnitQuaternion<f64>`, `Isometry3<f64>`, ..): the product that computes it.
    pub(super) fn motion_transform(&self, m: &syn::ExprMethodCall) -> Option<Expr> {
        let name = m.method.to_string();
        let inverse = match name.as_str() {
            "transform_vector" | "transform_point" => false,
            "inverse_transform_vector" | "inverse_transform_point" => true,
            _ => return None,
        };
        let [arg] = m.args.iter().collect::<Vec<_>>()[..] else { return None };
        let ty = self.param_types.get(&self.aggregate_or_leaf(&m.receiver)?)?;
        let ty = match ty {
            syn::Type::Reference(r) => &*r.elem,
            ty => ty,
        };
        let syn::Type::Path(p) = ty else { return None };
        let motion = p.path.segments.last().is_some_and(|s| {
            ["Rotation", "UnitQuaternion", "UnitComplex", "Isometry", "Translation"]
                .iter()
                .any(|r| s.ident.to_string().starts_with(r))
        });
        if !motion {
            return None;
        }
        let arg = match arg {
            Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
            a => a,
        };
        let (recv, span) = (&m.receiver, m.method.span());
        Some(if inverse {
            syn::parse_quote_spanned!(span=> (#recv.inverse()) * (#arg))
        } else {
            syn::parse_quote_spanned!(span=> (#recv) * (#arg))
        })
    }
}
