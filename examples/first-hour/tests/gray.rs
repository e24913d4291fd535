//! The Gray-code counter: one bit changes per step, and the code decodes to
//! the number of enabled cycles. Many tiny designs, short runs: the
//! interpreter, which starts without compiling, is the engine for this.

use first_hour::gray_counter;
use linkforge_hdl::Design;
use linkforge_verif::check::Check;
use linkforge_verif::tb::Failure;
use linkforge_verif::Engine;
use proptest::prelude::*;

/// The binary number a reflected Gray code stands for.
fn decode(gray: u64) -> u64 {
    let mut binary = gray;
    let mut shift = gray >> 1;
    while shift != 0 {
        binary ^= shift;
        shift >>= 1;
    }
    binary
}

#[test]
fn one_bit_changes_per_step_and_the_code_counts_the_steps() {
    let enables = prop::collection::vec(any::<bool>(), 1..300);
    Check::new()
        .engine(Engine::Interpreter)
        .waves(concat!(env!("CARGO_TARGET_TMPDIR"), "/gray.vcd"))
        .assert((2u32..=16, enables), |case, (width, enables)| {
            let design = Design::new(gray_counter(*width)?)?;
            let sim = case.sim(&design)?;
            sim.poke("rst", 1)?;
            sim.step()?;
            sim.poke("rst", 0)?;
            let modulus = 1u64 << width;
            let mut steps = 0;
            let mut before = sim.peek("count")?;
            for &en in enables {
                sim.poke("en", en as u64)?;
                sim.step()?;
                steps = (steps + en as u64) % modulus;
                let now = sim.peek("count")?;
                let changed = (now ^ before).count_ones();
                if changed != en as u32 || decode(now) != steps {
                    let message = format!("count {now:#b} after {before:#b}, {steps} steps");
                    return Err(Failure::new(sim, message));
                }
                before = now;
            }
            Ok(())
        });
}
