//! Cross-crate tests of b24 live in `tests/`.
