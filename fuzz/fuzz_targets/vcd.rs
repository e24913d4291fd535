//! The VCD reader the tests use (`linkforge_verif::wave::Waves`) on
//! arbitrary bytes: it returns the waves or an error; it never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use linkforge_verif::wave::Waves;

fuzz_target!(|data: &[u8]| {
    if let Ok(waves) = Waves::read_vcd(data) {
        // Every query on what was read works.
        let end = waves.end();
        for name in waves.signals.keys() {
            let _ = waves.at(end, name);
        }
    }
});
