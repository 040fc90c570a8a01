//! Fuzz target `spec`: the property is [`b24_fuzz_checks::spec`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| b24_fuzz_checks::spec(data));
