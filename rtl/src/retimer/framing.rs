//! The retimer's word framing: 128b/130b blocks from the block aligner cut
//! into symbol words on the receive side ([`symbol_framer`]), and symbol
//! words turned back into a bit stream on the transmit side
//! ([`serializer`]).
//!
//! A *symbol word* is one 8-bit symbol with its block context: `start`
//! (the block's first symbol), `hdr[1:0]` (the block's sync header, carried
//! on every word of the block) and `skp` (a SKP symbol of a SKP ordered
//! set, an ordered-set block with header 01b whose symbols up to this one
//! are all AAh, other than the first: the first carries the block start,
//! so only the others may be added or removed). Packed, lane `i` of a multi-lane word is [`LANE_WORD_BITS`]
//! bits `{start, hdr[1:0], sym[7:0]}`.

use linkforge_hdl::prelude::*;

/// Bits of one lane's packed symbol word `{start, hdr[1:0], sym[7:0]}`.
pub const LANE_WORD_BITS: u32 = 11;
/// Cycles between the words of one block on the receive side: a block
/// takes 130 one-bit cycles, its 16 words leave 8 cycles apart.
pub const WORD_SPACING: u32 = 8;
/// The SKP symbol of a 128b/130b SKP ordered set.
pub const SKP_SYMBOL: u64 = 0xAA;
/// The sync header of an ordered-set block (`H1 H0` = 01b).
pub const OS_HEADER: u64 = 0b01;

/// Builds `symbol_framer` as module `module_name`: one lane's aligned
/// blocks to symbol words, in the domain of `clk` (`rst` synchronous,
/// active high).
///
/// Ports: `blk_valid`, `blk_hdr[1:0]`, `blk_data[127:0]` (a block, as the
/// block aligner puts it out, at most one per 130 cycles); `word_valid`,
/// `word_start`, `word_hdr[1:0]`, `word_sym[7:0]`, `word_skp` (see the
/// module documentation): the block's
/// 16 symbols, symbol 0 (`blk_data[7:0]`) the cycle after `blk_valid`, then
/// one every [`WORD_SPACING`] cycles; `word_marker`: this word starts a SKP
/// ordered set (the lane-to-lane alignment marker).
pub fn symbol_framer(module_name: &str) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let blk_valid = m.input("blk_valid", 1);
    let blk_hdr = m.input("blk_hdr", 2);
    let blk_data = m.input("blk_data", 128);
    let word_valid = m.output("word_valid", 1);
    let word_start = m.output("word_start", 1);
    let word_hdr = m.output("word_hdr", 2);
    let word_sym = m.output("word_sym", 8);
    let word_skp = m.output("word_skp", 1);
    let word_marker = m.output("word_marker", 1);

    // The block being cut, shifted down one symbol per word; `next_word`
    // counts the words put out (16 = idle) and `tick` the spacing.
    let block = m.reg("block", 128).reset(0);
    let hdr = m.reg("hdr", 2).reset(0);
    let next_word = m.reg("next_word", 5).reset(16);
    let tick = m.reg("tick", 3).reset(0);
    let skp_run = m.reg("skp_run", 1).reset(0);

    let emit = !next_word.bit(4) & tick.eq(lit(0, 3));
    let first = next_word.eq(lit(0, 5));
    let sym = block.slice(7, 0);
    let is_skp_symbol = sym.clone().eq(lit(SKP_SYMBOL, 8));
    let opens_skp = hdr.eq(lit(OS_HEADER, 2)) & is_skp_symbol.clone();
    // `skp_run`: the words of this block so far are all SKP symbols.
    let skp = emit.clone() & !first.clone() & skp_run & is_skp_symbol;

    m.when(blk_valid, |m| {
        m.next(block, blk_data);
        m.next(hdr, blk_hdr);
        m.next(next_word, lit(0, 5));
        m.next(tick, lit(0, 3));
    })
    .otherwise(|m| {
        m.next(tick, tick + 1);
        m.when(emit.clone(), |m| {
            m.next(block, block >> 8);
            m.next(next_word, next_word + 1);
            m.next(skp_run, mux(first.clone(), opens_skp.clone(), skp.clone()));
        });
    });

    m.assign(word_valid, emit.clone());
    m.assign(word_start, first.clone());
    m.assign(word_hdr, hdr);
    m.assign(word_sym, sym);
    m.assign(word_skp, skp);
    m.assign(word_marker, emit & first & opens_skp);
    m.finish()
}

/// Builds `serializer` as module `module_name` for `lanes` lanes: packed
/// multi-lane symbol words to one bit per lane per cycle, in the domain of
/// `clk` (`rst` synchronous, active high).
///
/// Ports: `in_valid`, `in_data[L*11-1:0]` (lane `i` in bits `i*11 +: 11`),
/// `in_ready` (the word is taken at the next rising edge); `tx_valid`,
/// `tx_data[L-1:0]`: each lane's next bit. A word with `start` set sends the
/// sync header (H0 first) before its symbol (10 bits), any other word its
/// symbol alone (8 bits), bit 0 first. A new word is taken as the last bit
/// of the previous one goes out, so the stream has no gaps while words
/// come; `tx_valid` is low while there is none (before the first word and
/// after an underflow).
pub fn serializer(module_name: &str, lanes: u32) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let in_data = m.input("in_data", lanes * LANE_WORD_BITS);
    let in_ready = m.output("in_ready", 1);
    let tx_valid = m.output("tx_valid", 1);
    let tx_data = m.output("tx_data", lanes);

    // Bits left to send of the current word, the one on the line included.
    let left = m.reg("left", 4).reset(0);
    let ready = left.le(lit(1, 4));
    let start = in_data.bit(LANE_WORD_BITS - 1);
    let mut line = Vec::new();
    for lane in 0..lanes {
        let word = in_data.slice((lane + 1) * LANE_WORD_BITS - 1, lane * LANE_WORD_BITS);
        let (hdr, sym) = (word.clone().slice(9, 8), word.slice(7, 0));
        let shift = m.reg(format!("shift{lane}"), 10).reset(0);
        m.when(ready.clone() & in_valid, |m| {
            m.next(
                shift,
                mux(start.clone(), cat![sym.clone(), hdr], sym.zext(10)),
            )
        })
        .otherwise(|m| m.next(shift, shift >> 1));
        line.push(shift.bit(0));
    }
    m.when(ready.clone() & in_valid, |m| {
        m.next(left, mux(start, lit(10, 4), lit(8, 4)))
    })
    .elsewhen(left.any(), |m| m.next(left, left - 1));

    line.reverse();
    m.assign(tx_data, concat(line));
    m.assign(tx_valid, left.any());
    m.assign(in_ready, ready);
    m.finish()
}
