//! `block_align` judged by a model of 128b/130b block alignment (PCIe
//! 4.2.2.2.1): the received stream is cut into 130-bit candidates, a
//! candidate with an invalid sync header (00b or 11b) slips the next one by
//! a bit while hunting, 8 valid headers in a row gain lock, and 4 invalid
//! headers within a window of 8 blocks lose it (the block's documented
//! choices of counts). The stimulus is a stream of random blocks after a
//! random number of junk bits, with invalid headers one block in 64,
//! bursts of 6 that break the lock one block in 512, and gaps in
//! `in_valid`; `block_lock` and `blk_valid` are compared each cycle and
//! each block put out bit for bit.

use crate::tb::cycle::{expect_eq, flag, CycleModel};
use crate::tb::RESET_CYCLES;
use linkforge_hdl::Bits;
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::block_align::BlockAlignConfig;
use linkforge_rtl::RtlError;
use std::collections::VecDeque;

/// Bits in a 128b/130b block, sync header included.
const BLOCK_BITS: usize = 130;

/// The model of `block_align` and its sending end.
#[derive(Clone, Debug)]
pub struct BlockAlignModel {
    width: u32,
    /// Bits still to send; `None` before the junk prefix was drawn.
    tx: Option<VecDeque<bool>>,
    /// Invalid headers still to send in the current burst.
    burst: u32,
    /// The aligner: bits held, whether the next candidate slips a bit,
    /// lock, valid headers in a row (hunting) or blocks in the window
    /// (locked), invalid headers in the window.
    held: VecDeque<bool>,
    slip: bool,
    locked: bool,
    count: u32,
    bad: u32,
    /// The block put out at the last edge, if one was.
    out: Option<Vec<bool>>,
    reset_seen: bool,
    locks: u64,
    losses: u64,
}

impl BlockAlignModel {
    /// The model of the aligner `cfg` describes.
    pub fn new(cfg: &BlockAlignConfig) -> Result<Self, RtlError> {
        cfg.validate()?;
        Ok(BlockAlignModel {
            width: cfg.width,
            tx: None,
            burst: 0,
            held: VecDeque::new(),
            slip: false,
            locked: false,
            count: 0,
            bad: 0,
            out: None,
            reset_seen: false,
            locks: 0,
            losses: 0,
        })
    }

    /// The model of the `block_align` `params` describe.
    pub fn from_params(params: &Params) -> Result<Self, RtlError> {
        Self::new(&BlockAlignConfig::from_params(params)?)
    }

    /// Appends one random block to the stream from `control` and two
    /// payload words.
    fn send_block(&mut self, control: u64, payload: [u64; 2]) {
        if self.burst == 0 && control >> 8 & 511 == 0 {
            self.burst = 6;
        }
        let invalid = self.burst > 0 || control >> 20 & 63 == 0;
        self.burst = self.burst.saturating_sub(1);
        let h0 = control >> 1 & 1 == 1;
        let h1 = if invalid { h0 } else { !h0 };
        let tx = self.tx.get_or_insert_with(VecDeque::new);
        tx.extend([h0, h1]);
        tx.extend((0..128).map(|i| payload[i / 64] >> (i % 64) & 1 == 1));
    }

    /// The aligner takes `word` at an edge with `in_valid`.
    fn receive(&mut self, word: &Bits) {
        self.held.extend((0..self.width).map(|i| word.bit(i)));
        if self.held.len() < BLOCK_BITS + usize::from(self.slip) {
            return;
        }
        if self.slip {
            self.held.pop_front();
        }
        let block: Vec<bool> = self.held.drain(..BLOCK_BITS).collect();
        self.slip = false;
        let valid_header = block[0] != block[1];
        if !self.locked {
            if valid_header {
                self.count += 1;
                if self.count == 8 {
                    (self.locked, self.count, self.bad) = (true, 0, 0);
                    self.locks += 1;
                    self.out = Some(block);
                }
            } else {
                (self.count, self.slip) = (0, true);
            }
            return;
        }
        self.bad += u32::from(!valid_header);
        if self.bad == 4 {
            (self.locked, self.count, self.slip) = (false, 0, true);
            self.losses += 1;
            return;
        }
        self.out = Some(block);
        self.count += 1;
        if self.count == 8 {
            (self.count, self.bad) = (0, 0);
        }
    }
}

impl CycleModel for BlockAlignModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        vec![
            ("rst".into(), 1),
            ("in_valid".into(), 1),
            ("in_data".into(), self.width),
        ]
    }
    fn outputs(&self) -> Vec<String> {
        ["block_lock", "blk_valid", "blk_hdr", "blk_data"]
            .map(String::from)
            .to_vec()
    }
    fn words_per_cycle(&self) -> usize {
        4
    }
    /// The next `W` bits of the stream, `in_valid` 7 cycles in 8.
    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let mut word = || words.next().unwrap_or(0);
        let control = word();
        let block = [word(), word(), word()];
        if self.tx.is_none() {
            let junk = (block[0] % BLOCK_BITS as u64) as usize;
            self.tx = Some((0..junk).map(|i| block[1] >> (i % 64) & 1 == 1).collect());
        }
        if self
            .tx
            .as_ref()
            .is_some_and(|t| t.len() < self.width as usize)
        {
            self.send_block(block[0], [block[1], block[2]]);
        }
        let tx = self.tx.get_or_insert_with(VecDeque::new);
        let valid = control & 7 != 0 && cycle >= RESET_CYCLES;
        let mut data = Bits::zero(self.width);
        for i in 0..self.width {
            let bit = if valid {
                tx.pop_front()
            } else {
                tx.get(i as usize).copied()
            };
            data.set_bit(i, bit.unwrap_or(false));
        }
        vec![flag(cycle < RESET_CYCLES), flag(valid), data]
    }
    fn judge(&mut self, _: u64, _: &[Bits], outputs: &[Bits]) -> Result<u64, String> {
        if !self.reset_seen {
            return Ok(0);
        }
        let mut checks = expect_eq("block_lock", outputs[0].low_u64(), u64::from(self.locked))?;
        checks += expect_eq(
            "blk_valid",
            outputs[1].low_u64(),
            u64::from(self.out.is_some()),
        )?;
        if let Some(block) = &self.out {
            let hdr = u64::from(block[0]) | u64::from(block[1]) << 1;
            checks += expect_eq("blk_hdr", outputs[2].low_u64(), hdr)?;
            let mut data = Bits::zero(128);
            for (i, &b) in block[2..].iter().enumerate() {
                data.set_bit(i as u32, b);
            }
            if outputs[3] != data {
                return Err(format!(
                    "`blk_data` is {}, the block received is {}",
                    outputs[3].to_hex(),
                    data.to_hex()
                ));
            }
            checks += 1;
        }
        Ok(checks)
    }
    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        self.out = None;
        if inputs[0].bit(0) {
            self.held.clear();
            (self.slip, self.locked, self.count, self.bad) = (false, false, 0, 0);
            self.reset_seen = true;
        } else if inputs[1].bit(0) {
            self.receive(&inputs[2]);
        }
    }
    fn unit(&self) -> &'static str {
        "fields"
    }
    fn metrics(&self) -> Vec<(String, String)> {
        vec![
            ("locks".into(), self.locks.to_string()),
            ("lock_losses".into(), self.losses.to_string()),
        ]
    }
}
