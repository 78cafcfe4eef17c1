//! Error accumulation: every pass reports into one [`Ctxt`], and the pipeline stops after a pass
//! only if something was reported, so the user sees every problem of a function in one build
//! (the pattern of serde_derive's `internals/ctxt.rs`).

use std::cell::RefCell;

use crate::diagnostics::Diagnostic;
use crate::ir::Loc;

/// Collects spanned errors.
#[derive(Default)]
pub struct Ctxt {
    errors: RefCell<Vec<syn::Error>>,
}

impl Ctxt {
    /// Reports `diagnostic` at `span`.
    pub fn error(&self, at: impl Into<Loc>, diagnostic: Diagnostic) {
        self.errors.borrow_mut().push(diagnostic.into_error(at.into()));
    }

    /// Reports an error syn already built (a parse error).
    pub fn syn_error(&self, error: syn::Error) {
        self.errors.borrow_mut().push(error);
    }

    /// How many errors were reported so far.
    pub fn count(&self) -> usize {
        self.errors.borrow().len()
    }

    /// Whether anything was reported so far.
    pub fn has_errors(&self) -> bool {
        !self.errors.borrow().is_empty()
    }

    /// All errors reported, combined into one (`None` if there were none).
    pub fn take(&self) -> Option<syn::Error> {
        let mut errors = self.errors.borrow_mut().drain(..).collect::<Vec<_>>().into_iter();
        let mut first = errors.next()?;
        for e in errors {
            first.combine(e);
        }
        Some(first)
    }
}
