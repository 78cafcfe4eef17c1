//! Error accumulation: every pass reports into one [`Ctxt`], and the pipeline stops after a pass
//! only if something was reported, so the user sees every problem of a function in one build
//! (the pattern of serde_derive's `internals/ctxt.rs`).

use std::cell::RefCell;

use crate::diagnostics::Diagnostic;
use crate::ir::Loc;

/// Collects spanned errors.
#[derive(Default)]
pub struct Ctxt {
    errors: RefCell<Vec<Reported>>,
    /// Notes for the errors that start at a place (line and column), added as they are taken.
    notes_at: RefCell<Vec<((usize, usize), String)>>,
}

/// An error: ours (its message may still get a note) or one syn built.
enum Reported {
    Ours { at: Loc, message: String },
    Syn(syn::Error),
}

impl Ctxt {
    /// Reports `diagnostic` at `span`.
    pub fn error(&self, at: impl Into<Loc>, diagnostic: Diagnostic) {
        self.errors.borrow_mut().push(Reported::Ours { at: at.into(), message: diagnostic.message() });
    }

    /// Reports an error syn already built (a parse error).
    pub fn syn_error(&self, error: syn::Error) {
        self.errors.borrow_mut().push(Reported::Syn(error));
    }

    /// Adds `note` to our errors reported after the first `count` (`count()` before a check).
    pub fn note_since(&self, count: usize, note: &str) {
        for e in self.errors.borrow_mut().iter_mut().skip(count) {
            if let Reported::Ours { message, .. } = e {
                message.push_str("\nnote: ");
                message.push_str(note);
            }
        }
    }

    /// Adds `note` to our errors that start where `at` starts (a helper's body written out at a
    /// call, every token of it placed there).
    pub fn note_at(&self, at: proc_macro2::Span, note: &str) {
        let start = at.start();
        let entry = ((start.line, start.column), note.to_string());
        let mut notes = self.notes_at.borrow_mut();
        if !notes.contains(&entry) {
            notes.push(entry);
        }
    }

    /// Takes the notes of `other` (a scratch context whose lowering is kept), for the errors
    /// reported here later.
    pub fn adopt_notes(&self, other: &Ctxt) {
        let mut notes = self.notes_at.borrow_mut();
        for entry in other.notes_at.borrow_mut().drain(..) {
            if !notes.contains(&entry) {
                notes.push(entry);
            }
        }
    }

    /// Takes the errors and notes of `other` (a scratch context whose lowering is kept after all).
    pub fn absorb(&self, other: Ctxt) {
        self.adopt_notes(&other);
        self.errors.borrow_mut().append(&mut other.errors.borrow_mut());
    }

    /// How many errors were reported so far.
    pub fn count(&self) -> usize {
        self.errors.borrow().len()
    }

    /// Whether anything was reported so far.
    pub fn has_errors(&self) -> bool {
        !self.errors.borrow().is_empty()
    }

    /// All errors reported, combined into one (`None` if there were none). An error reported
    /// twice at the same place with the same first line (a `match` with two guards reading one
    /// differentiable value) is shown once, with the most notes any copy has.
    pub fn take(&self) -> Option<syn::Error> {
        let mut kept: Vec<Reported> = Vec::new();
        for e in self.errors.borrow_mut().drain(..) {
            let Reported::Ours { at, message } = &e else {
                kept.push(e);
                continue;
            };
            let same = kept.iter_mut().find_map(|k| match k {
                Reported::Ours { at: a, message: m }
                    if a.same_place(at) && m.lines().next() == message.lines().next() =>
                {
                    Some(m)
                }
                _ => None,
            });
            match same {
                Some(m) if message.len() > m.len() => *m = message.clone(),
                Some(_) => {}
                None => kept.push(e),
            }
        }
        let mut errors = kept
            .into_iter()
            .map(|e| match e {
                Reported::Ours { at, mut message } => {
                    let start = at.start.start();
                    for (_, note) in
                        self.notes_at.borrow().iter().filter(|(p, _)| *p == (start.line, start.column))
                    {
                        message.push_str("\nnote: ");
                        message.push_str(note);
                    }
                    crate::diagnostics::error_at(at, message)
                }
                Reported::Syn(e) => e,
            })
            .collect::<Vec<_>>()
            .into_iter();
        let mut first = errors.next()?;
        for e in errors {
            first.combine(e);
        }
        Some(first)
    }
}
