//! A secret string: never shown by `Debug`, never logged, compared in constant time and
//! wiped from memory when dropped.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// A webhook code, an OAuth token or a client secret: never shown by `Debug`, never in
/// errors or logs; `==` takes the same time wherever the values differ, and the bytes
/// are overwritten with zeros when the value is dropped.
#[derive(Clone)]
pub struct Secret(String);

impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for Secret {}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the secret replaced by `***`.
    pub(crate) fn scrub(&self, text: &str) -> String {
        if self.0.is_empty() {
            return text.to_string();
        }
        let mut out = text.replace(&self.0, "***");
        // Messages shorten a long value to its start and `…`: a secret cut that way shows
        // as a prefix of it (8 characters or more) right before the `…`.
        if out.contains('…') {
            let cuts: Vec<usize> = self.0.char_indices().map(|(i, _)| i).skip(8).collect();
            for end in cuts.into_iter().rev() {
                let cut = format!("{}…", &self.0[..end]);
                if out.contains(&cut) {
                    out = out.replace(&cut, "***…");
                }
            }
        }
        out
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_by_value_and_never_shown() {
        let a = Secret::new("token-1");
        assert_eq!(a, Secret::new("token-1"));
        assert_ne!(a, Secret::new("token-2"));
        assert_ne!(a, Secret::new("token-10"));
        assert_eq!(format!("{a:?}"), "Secret(***)");
        // Whole, and cut short by a message that shortens long values.
        let t = Secret::new("abcdefghijklmnopqrstuvwxyz");
        assert_eq!(t.scrub("x abcdefghijklmnopqrstuvwxyz y"), "x *** y");
        assert_eq!(t.scrub("found \"abcdefghijkl…"), "found \"***…");
        assert_eq!(
            t.scrub("found \"abcdefg…"),
            "found \"abcdefg…",
            "too short to tell"
        );
        assert_eq!(a.scrub("auth=token-1&x"), "auth=***&x");
    }
}
