//! Fuzz target `batch`: the property is [`b24_fuzz_checks::batch`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| b24_fuzz_checks::batch(data));
