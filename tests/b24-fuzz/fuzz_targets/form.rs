//! Fuzz target `form`: the property is [`b24_fuzz_checks::form`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| b24_fuzz_checks::form(data));
