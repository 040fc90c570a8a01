//! Fuzz target `scalars`: the property is [`b24_fuzz_checks::scalars`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| b24_fuzz_checks::scalars(data));
