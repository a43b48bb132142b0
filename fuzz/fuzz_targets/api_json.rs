//! `kind[ content-type]\n` + a body through the API's JSON extractor and request checks
//! (reactlab_api::fuzzing).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = reactlab_api::fuzzing::request(data);
});
