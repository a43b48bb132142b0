//! A `challenge.toml` text: parsed, validated, every step rendered (reactlab_core::fuzzing).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = reactlab_core::fuzzing::challenge_file(data);
});
