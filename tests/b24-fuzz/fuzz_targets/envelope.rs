//! Fuzz target `envelope`: the property is [`b24_fuzz_checks::envelope`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| b24_fuzz_checks::envelope(data));
