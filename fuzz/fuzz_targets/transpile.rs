//! A learner's file through the judge's transpiler as JSX and TSX (reactlab_judge::fuzzing).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = reactlab_judge::fuzzing::transpile_both(data);
});
