//! The FST reader of `linkforge wave check` (`linkforge_verif::wave::Waves`)
//! on arbitrary bytes: it returns the waves or an error; it never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use linkforge_verif::wave::Waves;

fuzz_target!(|data: &[u8]| {
    if let Ok(waves) = Waves::read_fst(std::io::Cursor::new(data)) {
        let end = waves.end();
        for name in waves.signals.keys() {
            let _ = waves.at(end, name);
        }
    }
});
