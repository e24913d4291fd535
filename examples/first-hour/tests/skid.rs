//! The skid buffer against a reference model, over random widths and
//! random traffic, with the stream rules of both ports checked every cycle.

use first_hour::skid_buffer;
use linkforge_hdl::Design;
use linkforge_verif::check::{Case, Check};
use linkforge_verif::tb::Failure;
use proptest::prelude::*;
use std::collections::VecDeque;

/// One cycle of traffic: the source offers a word, the sink is ready.
#[derive(Clone, Debug)]
struct Cycle {
    offer: bool,
    word: u64,
    ready: bool,
}

fn traffic() -> impl Strategy<Value = Vec<Cycle>> {
    let cycle = (any::<bool>(), any::<u64>(), any::<bool>())
        .prop_map(|(offer, word, ready)| Cycle { offer, word, ready });
    prop::collection::vec(cycle, 1..200)
}

/// Drives `traffic` into a skid buffer of `width` bits and checks that the
/// words leave in order, unchanged, and that none is lost.
fn carries_every_word(
    case: &mut Case,
    design: &Design,
    width: u32,
    traffic: &[Cycle],
) -> Result<(), Failure> {
    let mask = u64::MAX >> (64 - width);
    let sim = case.sim(design)?;
    sim.poke("rst", 1)?;
    sim.step()?;
    sim.poke("rst", 0)?;
    let mut in_flight = VecDeque::new();
    // A word once offered stays offered until it is taken.
    let mut offered: Option<u64> = None;
    // After the traffic, a few cycles with the sink ready and nothing new
    // offered drain the buffer.
    let drain = Cycle {
        offer: false,
        word: 0,
        ready: true,
    };
    for cycle in traffic.iter().chain([&drain; 4]) {
        if offered.is_none() && cycle.offer {
            offered = Some(cycle.word & mask);
        }
        sim.poke("in_valid", offered.is_some() as u64)?;
        sim.poke("in_data", offered.unwrap_or(0))?;
        sim.poke("out_ready", cycle.ready as u64)?;
        if cycle.ready && sim.peek("out_valid")? == 1 {
            let got = sim.peek("out_data")?;
            let expected = in_flight.pop_front();
            if expected != Some(got) {
                let message = format!("delivered {got:#x}, expected {expected:x?}");
                return Err(Failure::new(sim, message));
            }
        }
        if let (Some(word), 1) = (offered, sim.peek("in_ready")?) {
            in_flight.push_back(word);
            offered = None;
        }
        sim.step()?;
    }
    if !in_flight.is_empty() || offered.is_some() {
        let message = format!("words never delivered: {in_flight:x?}, still offered: {offered:x?}");
        return Err(Failure::new(sim, message));
    }
    Ok(())
}

#[test]
fn the_skid_buffer_delivers_every_word_in_order_at_any_width() {
    Check::new()
        .waves(concat!(env!("CARGO_TARGET_TMPDIR"), "/skid.vcd"))
        .assert((1u32..=64, traffic()), |case, (width, traffic)| {
            let design = Design::new(skid_buffer(*width)?)?;
            carries_every_word(case, &design, *width, traffic)
        });
}
