//! Fuzz target `docs_page`: the property is [`b24_fuzz_checks::docs_page`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| b24_fuzz_checks::docs_page(data));
