//! `os_decoder`: the ordered sets of one lane's symbol words (128b/130b),
//! decoded into the one-edge observations the [`ltssm_tracker`] follows.
//!
//! An ordered-set block (header 01b) is named by its first symbol: TS1
//! (1Eh), TS2 (2Dh), EIEOS (00h), EIOS (66h). A training set is reported
//! when its symbol 6 arrives, with its qualifiers: symbol 1 (link number)
//! not PAD (F7h) sets `ts_link_num_valid`; symbol 5 bits 0, 1, 2 are the
//! hot reset, disable and loopback bits; symbol 6 bits 1:0 are the EC
//! field, and a TS1 with a non-zero EC field is an equalization TS1
//! (`ts_eq`; phase 0, EC 00b, is not told apart from Recovery). EIEOS and
//! EIOS are reported at their first symbol, and a data block (header 10b)
//! at its first symbol as `idle_seen`.
//!
//! Ports (`rst` synchronous, active high): `clk`, `rst`, `word_valid`,
//! `word_start`, `word_hdr[1:0]`, `word_sym[7:0]` (the
//! [`symbol_framer`](super::framing::symbol_framer)'s words); outputs, each
//! a combinational pulse with the word that completes it: `ts1_seen`,
//! `ts2_seen`, `ts_link_num_valid`, `ts_eq`, `ts_ec[1:0]`,
//! `hot_reset_bit`, `disable_bit`, `loopback_bit`, `eieos_seen`,
//! `eios_seen`, `idle_seen`.
//!
//! [`ltssm_tracker`]: super::ltssm::ltssm_tracker

use super::framing::OS_HEADER;
use linkforge_hdl::prelude::*;

/// First symbol of a TS1 ordered set.
pub const TS1: u64 = 0x1E;
/// First symbol of a TS2 ordered set.
pub const TS2: u64 = 0x2D;
/// First symbol of an EIEOS.
pub const EIEOS: u64 = 0x00;
/// First symbol of an EIOS.
pub const EIOS: u64 = 0x66;
/// The PAD symbol (no link number).
pub const PAD: u64 = 0xF7;
/// Sync header of a data block (`H1 H0` = 10b).
const DATA_HEADER: u64 = 0b10;

/// Builds the decoder as module `module_name`.
pub fn os_decoder(module_name: &str) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let valid = m.input("word_valid", 1);
    let start = m.input("word_start", 1);
    let hdr = m.input("word_hdr", 2);
    let sym = m.input("word_sym", 8);

    // The symbol's index in its block, and the symbols a TS is read from.
    let index_q = m.reg("index", 4).reset(0);
    let index = mux(start, lit(0, 4), index_q + lit(1, 4));
    let first = m.reg("first", 8).reset(0);
    let link = m.reg("link_num", 8).reset(0);
    let control = m.reg("control", 8).reset(0);
    let at = |i: u64| valid & index.clone().eq(lit(i, 4));
    m.when(valid, |m| m.next(index_q, index.clone()));
    m.when(at(0), |m| m.next(first, sym));
    m.when(at(1), |m| m.next(link, sym));
    m.when(at(5), |m| m.next(control, sym));

    let os = hdr.eq(lit(OS_HEADER, 2));
    let ts_end = at(6) & os.clone();
    let ts1 = ts_end.clone() & first.eq(lit(TS1, 8));
    let ts2 = ts_end & first.eq(lit(TS2, 8));
    let opens = at(0) & os;
    let ec = sym.slice(1, 0);
    let outputs: [(&str, Expr); 11] = [
        ("ts1_seen", ts1.clone()),
        ("ts2_seen", ts2),
        ("ts_link_num_valid", link.ne(lit(PAD, 8))),
        ("ts_eq", ts1 & ec.clone().any()),
        ("ts_ec", ec),
        ("hot_reset_bit", control.bit(0)),
        ("disable_bit", control.bit(1)),
        ("loopback_bit", control.bit(2)),
        ("eieos_seen", opens.clone() & sym.eq(lit(EIEOS, 8))),
        ("eios_seen", opens & sym.eq(lit(EIOS, 8))),
        ("idle_seen", at(0) & hdr.eq(lit(DATA_HEADER, 2))),
    ];
    for (name, value) in outputs {
        let port = m.output(name, value.width());
        m.assign(port, value);
    }
    m.finish()
}
