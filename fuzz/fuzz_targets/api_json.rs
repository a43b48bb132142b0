//! `kind[ content-type]\n` + a body through the API's JSON extractor and request checks, a
//! query string through its query extractor, or header lines through what the API reads
//! from headers (reactlab_api::fuzzing).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = reactlab_api::fuzzing::request(data);
});
