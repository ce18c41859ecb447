//! A problem with a person's input as a domain check finds it: a `problem.*` text key and the
//! values it names, no words. Its text (`Display`, in English: what the server answers with) is
//! written by the i18n module, which also turns it into any language.

use std::fmt::Display;

/// A problem with a person's input: a `problem.*` text key and the values that fill it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The text key (`problem.number_range`).
    pub key: &'static str,
    /// The values, in the order the text names them.
    pub args: Vec<String>,
}

impl Problem {
    /// The problem `key` naming `args`.
    pub fn new(key: &'static str, args: &[&dyn Display]) -> Problem {
        Problem {
            key,
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }
}
