//! A PCIe link at the 128b/130b rates around a retimer: per-lane transmit
//! streams of data blocks and SKP ordered sets, one [`Channel`] per lane
//! (each with its own skew, pulse response and phase, all with the link's
//! frequency offset), and a receiver that parses the re-transmitted bits
//! back into blocks and compares them with what was sent.
//!
//! [`run_link`] drives a simulation of a design with the port contract of
//! the `retimer` block (`rx_clk`, `rx_rst`, `clk`, `rst`, `rx_sample`,
//! `pi_code`, `cdr_locked`, `block_lock`, `aligned`, `skew`, `tx_valid`,
//! `tx_data`, the `eb_*` counters, `hdr_errors`, `lock_losses`, `ffe_coefs`,
//! `dfe_coefs`). The transmitter's clock is the recovered clock `rx_clk`
//! (one cycle per UI); the retimer's local clock `clk` is
//! [`LinkSetup::ppm`] slower (positive) or faster (negative).
//!
//! The stream: every lane sends random data blocks (header 10b) and, on all
//! lanes in the same block, a SKP ordered set (header 01b, 12 SKP symbols
//! AAh, SKP_END E1h, three random symbols) every 370 to 375 blocks. The
//! first [`TRAINING_BLOCKS`] blocks stand for link training, where ordered
//! sets are frequent: there a SKP ordered set comes every 24 to 32 blocks,
//! so the receiver finds its deskew marker soon after block lock. A lane's
//! stream reaches its channel `skew_ui[lane]` UI late.

use crate::models::channel::{Channel, ChannelConfig, Rng};
use crate::{SignalHandle, Sim, SimError};
use linkforge_hdl::Bits;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// The SKP symbol.
pub const SKP: u8 = 0xAA;
/// The SKP_END symbol.
pub const SKP_END: u8 = 0xE1;
/// Sync header of a data block (`H1 H0` = 10b).
pub const DATA_HEADER: u8 = 0b10;
/// Sync header of an ordered-set block (`H1 H0` = 01b).
pub const OS_HEADER: u8 = 0b01;
/// SKP symbols in a transmitted SKP ordered set.
pub const SKP_SYMBOLS: usize = 12;
/// Blocks from one SKP ordered set to the next (PCIe, without SRIS).
pub const SKP_INTERVAL: (u64, u64) = (370, 375);
/// Blocks at the start of the stream with frequent SKP ordered sets.
pub const TRAINING_BLOCKS: u64 = 512;
/// Blocks from one SKP ordered set to the next during the first
/// [`TRAINING_BLOCKS`].
pub const TRAINING_SKP_INTERVAL: (u64, u64) = (24, 32);
/// Bits of a 16-symbol block.
pub const BLOCK_BITS: u64 = 130;
/// Simulated period of one UI of the recovered clock. One UI is 100 ns of
/// simulated time so that the frequency offset is a whole number of
/// picoseconds (10 ppm resolution).
pub const UI_PERIOD_PS: u64 = 100_000;

/// A 128b/130b block: its sync header (`H0` in bit 0) and symbols.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Sync header, `H0` (sent first) in bit 0.
    pub header: u8,
    /// The symbols, sent in order, each bit 0 first.
    pub symbols: Vec<u8>,
}

impl Block {
    /// A SKP ordered set (an ordered-set block opening with SKP).
    pub fn is_skp(&self) -> bool {
        self.header == OS_HEADER && self.symbols.first() == Some(&SKP)
    }

    /// The SKP symbols before SKP_END.
    pub fn skp_count(&self) -> usize {
        self.symbols.iter().take_while(|&&s| s == SKP).count()
    }

    /// Bit `i` in transmission order.
    fn bit(&self, i: u64) -> u8 {
        if i < 2 {
            (self.header >> i) & 1
        } else {
            let k = (i - 2) as usize;
            (self.symbols[k / 8] >> (k % 8)) & 1
        }
    }

    /// Bits that differ from `other`, over the header and the symbols both
    /// blocks have, plus 8 per symbol only one of them has.
    fn bit_errors(&self, other: &Block) -> u64 {
        let common = self.symbols.len().min(other.symbols.len());
        let header = u64::from((self.header ^ other.header).count_ones());
        let symbols: u64 = (0..common)
            .map(|k| u64::from((self.symbols[k] ^ other.symbols[k]).count_ones()))
            .sum();
        let unmatched = 8 * (self.symbols.len().max(other.symbols.len()) - common) as u64;
        header + symbols + unmatched
    }
}

/// The blocks every lane sends, generated as they are needed.
pub struct LinkStream {
    rng: Rng,
    lanes: Vec<Vec<Block>>,
    next_skp: u64,
}

impl LinkStream {
    /// The stream of `lanes` lanes drawn from `seed`.
    pub fn new(lanes: usize, seed: u64) -> LinkStream {
        let mut rng = Rng::new(seed);
        let (lo, hi) = TRAINING_SKP_INTERVAL;
        let next_skp = lo + rng.next_u64() % (hi - lo + 1);
        LinkStream {
            rng,
            lanes: vec![Vec::new(); lanes],
            next_skp,
        }
    }

    fn extend_to(&mut self, blocks: usize) {
        while self.lanes[0].len() < blocks {
            let index = self.lanes[0].len() as u64;
            let skp = index == self.next_skp;
            if skp {
                let (lo, hi) = if index < TRAINING_BLOCKS {
                    TRAINING_SKP_INTERVAL
                } else {
                    SKP_INTERVAL
                };
                self.next_skp += lo + self.rng.next_u64() % (hi - lo + 1);
            }
            for lane in &mut self.lanes {
                let random = |rng: &mut Rng, n: usize| -> Vec<u8> {
                    (0..n).map(|_| rng.next_u64() as u8).collect()
                };
                let block = if skp {
                    let mut symbols = vec![SKP; SKP_SYMBOLS];
                    symbols.push(SKP_END);
                    symbols.extend(random(&mut self.rng, 3));
                    Block {
                        header: OS_HEADER,
                        symbols,
                    }
                } else {
                    Block {
                        header: DATA_HEADER,
                        symbols: random(&mut self.rng, 16),
                    }
                };
                lane.push(block);
            }
        }
    }

    /// Block `index` of `lane`.
    pub fn block(&mut self, lane: usize, index: usize) -> &Block {
        self.extend_to(index + 1);
        &self.lanes[lane][index]
    }

    /// Bit `index` of `lane`'s serial stream.
    pub fn bit(&mut self, lane: usize, index: u64) -> u8 {
        let b = (index / BLOCK_BITS) as usize;
        self.block(lane, b).bit(index % BLOCK_BITS)
    }

    /// Blocks generated so far on each lane.
    pub fn len(&self) -> usize {
        self.lanes[0].len()
    }

    /// No block generated yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Longest SKP ordered set the parser accepts (24 SKP symbols, SKP_END and
/// three more), beyond which it cuts the block.
const MAX_OS_SYMBOLS: usize = 28;

/// Cuts a received bit stream into blocks: a header, then 16 symbols, or
/// for a SKP ordered set the symbols up to SKP_END and three more.
#[derive(Default)]
struct BlockParser {
    bits: Vec<u8>,
    symbols: Vec<u8>,
}

impl BlockParser {
    fn push(&mut self, bit: u8) -> Option<Block> {
        self.bits.push(bit);
        if self.bits.len() < 10 || (self.bits.len() - 2) % 8 != 0 {
            return None;
        }
        let sym = self.bits[self.bits.len() - 8..]
            .iter()
            .enumerate()
            .fold(0u8, |acc, (i, b)| acc | (b << i));
        self.symbols.push(sym);
        let header = self.bits[0] | (self.bits[1] << 1);
        let skp = header == OS_HEADER && self.symbols[0] == SKP;
        let done = if skp {
            let end = self.symbols.iter().position(|&s| s != SKP);
            end.is_some_and(|e| self.symbols.len() == e + 4) || self.symbols.len() == MAX_OS_SYMBOLS
        } else {
            self.symbols.len() == 16
        };
        if !done {
            return None;
        }
        self.bits.clear();
        Some(Block {
            header,
            symbols: std::mem::take(&mut self.symbols),
        })
    }
}

/// One lane's comparison of received blocks with sent ones.
#[derive(Default)]
struct LaneCheck {
    parser: BlockParser,
    /// The sent block the next received one must equal.
    next: Option<usize>,
    blocks: u64,
    bits: u64,
    bit_errors: u64,
    framing_errors: u64,
    /// SKP symbols in each received SKP ordered set.
    skp_lengths: Vec<usize>,
}

/// Sent blocks searched for the first received data block.
const ANCHOR_SEARCH: usize = 4096;

impl LaneCheck {
    /// Takes one received bit; counts errors only when `counting`.
    fn push(&mut self, bit: u8, lane: usize, stream: &mut LinkStream, counting: bool) {
        let Some(got) = self.parser.push(bit) else {
            return;
        };
        let Some(index) = self.next else {
            // The first received data block found among the sent ones
            // anchors the comparison.
            if got.header == DATA_HEADER && got.symbols.len() == 16 {
                let from = stream.len().saturating_sub(ANCHOR_SEARCH);
                self.next = (from..stream.len())
                    .find(|&i| *stream.block(lane, i) == got)
                    .map(|i| i + 1);
            }
            return;
        };
        self.next = Some(index + 1);
        let want = stream.block(lane, index);
        let (errors, framing) = if want.is_skp() {
            self.skp_lengths.push(got.skp_count());
            let ok = got.is_skp()
                && got.skp_count() % 4 == 0
                && got.symbols[got.skp_count()..] == want.symbols[want.skp_count()..];
            (if ok { 0 } else { 2 + 32 }, !ok)
        } else {
            let framing = got.symbols.len() != 16;
            (want.bit_errors(&got), framing)
        };
        if counting {
            self.blocks += 1;
            self.bits += if want.is_skp() { 2 + 32 } else { BLOCK_BITS };
            self.bit_errors += errors;
            self.framing_errors += u64::from(framing);
        }
    }
}

/// What the equalizer taps of the design mean, to draw its output eye.
#[derive(Clone, Copy, Debug)]
pub struct EqualizerLayout {
    /// FFE taps.
    pub ffe_taps: u32,
    /// The FFE's main-cursor tap.
    pub ffe_cursor: u32,
    /// FFE tap width, `coeff_bits - 2` fractional bits.
    pub ffe_coeff_bits: u32,
    /// DFE taps.
    pub dfe_taps: u32,
    /// DFE tap width in sample LSBs.
    pub dfe_tap_bits: u32,
}

/// The link around the design.
#[derive(Clone, Debug)]
pub struct LinkSetup {
    /// Lanes.
    pub lanes: u32,
    /// ADC sample width (the design's `rx_sample` field width).
    pub sample_bits: u32,
    /// Phase-interpolator code width (the design's `pi_code` field width).
    pub pi_bits: u32,
    /// Transmitter clock offset from the retimer's local clock in ppm
    /// (positive: the transmitter is faster); rounded to what
    /// [`UI_PERIOD_PS`] can express.
    pub ppm: f64,
    /// Each lane's extra delay in UI.
    pub skew_ui: Vec<u64>,
    /// Each lane's channel (its `ppm`, `adc_bits` and `phase_steps` are set
    /// from the fields above).
    pub channels: Vec<ChannelConfig>,
    /// Seed of the streams, noise and jitter.
    pub seed: u64,
    /// Received blocks are compared but not counted before this UI
    /// (equalizer convergence).
    pub warmup_ui: u64,
    /// The design's equalizer, to draw eye diagrams of lane 0.
    pub equalizer: Option<EqualizerLayout>,
    /// Prefix of the retimer's port names in the design (empty for a
    /// retimer on its own, `NAME_` for a card's component).
    pub prefix: String,
}

/// One point of lane 0's clock recovery over time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhasePoint {
    /// The UI.
    pub ui: u64,
    /// The phase-interpolator code.
    pub code: u32,
    /// The CDR's lock flag.
    pub locked: bool,
}

/// What a run of the link measured.
#[derive(Clone, Debug, Default)]
pub struct LinkReport {
    /// UIs (recovered-clock cycles) simulated.
    pub ui: u64,
    /// The frequency offset simulated, in ppm.
    pub ppm: f64,
    /// The first UI with every lane's CDR and block lock and the lanes
    /// aligned.
    pub lock_ui: Option<u64>,
    /// Blocks and bits compared after the warm-up, over all lanes.
    pub blocks_checked: u64,
    /// Bits compared (SKP ordered sets count their header and last four
    /// symbols).
    pub bits_checked: u64,
    /// Bits that differed.
    pub bit_errors: u64,
    /// Blocks of the wrong kind or length.
    pub framing_errors: u64,
    /// Every lane's SKP ordered sets were adjusted identically.
    pub lanes_agree_on_skp: bool,
    /// Elastic-buffer counters.
    pub eb_adds: u64,
    /// Groups of 4 SKP symbols dropped.
    pub eb_drops: u64,
    /// Words lost to a full buffer.
    pub eb_overflows: u64,
    /// Reads from an empty buffer.
    pub eb_underflows: u64,
    /// Each lane's deskew delay in UI as the design reports it.
    pub skew_ui: Vec<u64>,
    /// Each lane's delay at the end of the run from the transmitter to the
    /// design's sampler in UI: the injected skew plus how far behind the
    /// symbol it samples the CDR runs (it may slip whole UIs while it
    /// acquires, or ahead of it by up to one UI). A correct deskew is the
    /// latest lane's delay minus this.
    pub arrival_ui: Vec<i64>,
    /// Invalid sync headers per lane.
    pub hdr_errors: Vec<u64>,
    /// Block-lock losses per lane.
    pub lock_losses: Vec<u64>,
    /// Lane 0's PI code and lock over time.
    pub phase: Vec<PhasePoint>,
    /// Lane 0's equalizer input eye: (time from the CDR's sampling instant
    /// in UI, ADC value).
    pub eye_in: Vec<(f64, f64)>,
    /// Lane 0's equalized eye (FFE then DFE feedback) on the same instants.
    pub eye_out: Vec<(f64, f64)>,
}

impl fmt::Display for LinkReport {
    /// The numbers, without the phase trace and eye points.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lock = self
            .lock_ui
            .map_or_else(|| "never".to_string(), |u| u.to_string());
        write!(
            f,
            "{} UI at {:.0} ppm, locked at UI {lock}; {} bit errors and {} framing errors \
             in {} bits ({} blocks); SKP adds {} drops {}, overflows {} underflows {}, \
             lanes agree on SKP: {}; deskew {:?} UI for arrivals {:?} UI; header errors {:?}; \
             lock losses {:?}",
            self.ui,
            self.ppm,
            self.bit_errors,
            self.framing_errors,
            self.bits_checked,
            self.blocks_checked,
            self.eb_adds,
            self.eb_drops,
            self.eb_overflows,
            self.eb_underflows,
            self.lanes_agree_on_skp,
            self.skew_ui,
            self.arrival_ui,
            self.hdr_errors,
            self.lock_losses
        )
    }
}

/// The design's ports [`run_link`] uses.
struct Ports {
    rx_sample: SignalHandle,
    pi_code: SignalHandle,
    cdr_locked: SignalHandle,
    block_lock: SignalHandle,
    aligned: SignalHandle,
    tx_valid: SignalHandle,
    tx_data: SignalHandle,
    ffe_coefs: SignalHandle,
    dfe_coefs: SignalHandle,
}

/// Phase-trace points per run.
const PHASE_POINTS: u64 = 4000;
/// Eye traces drawn (each two UI wide).
const EYE_TRACES: usize = 400;
/// Points per UI of an eye trace.
const EYE_STEPS: u32 = 32;

/// `v`'s low `bits` bits as a signed number.
fn signed(v: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    ((v << shift) as i64) >> shift
}

/// Runs the link for `ui` UI of the recovered clock, reporting finished
/// UIs to `progress`.
pub fn run_link(
    sim: &mut Sim,
    setup: &LinkSetup,
    ui: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<LinkReport, SimError> {
    let lanes = setup.lanes as usize;
    let port = |name: &str| format!("{}{name}", setup.prefix);
    let (rx_clk, clk) = (port("rx_clk"), port("clk"));
    let local_period = (UI_PERIOD_PS as f64 * (1.0 + setup.ppm * 1e-6)).round() as u64;
    let ppm = (local_period as f64 / UI_PERIOD_PS as f64 - 1.0) * 1e6;
    sim.clock(&rx_clk, UI_PERIOD_PS, 0)?;
    sim.clock(&clk, local_period, local_period / 3)?;
    let p = Ports {
        rx_sample: sim.signal(&port("rx_sample"))?,
        pi_code: sim.signal(&port("pi_code"))?,
        cdr_locked: sim.signal(&port("cdr_locked"))?,
        block_lock: sim.signal(&port("block_lock"))?,
        aligned: sim.signal(&port("aligned"))?,
        tx_valid: sim.signal(&port("tx_valid"))?,
        tx_data: sim.signal(&port("tx_data"))?,
        ffe_coefs: sim.signal(&port("ffe_coefs"))?,
        dfe_coefs: sim.signal(&port("dfe_coefs"))?,
    };
    let stream = Rc::new(RefCell::new(LinkStream::new(lanes, setup.seed)));
    let mut channels: Vec<Channel> = (0..lanes)
        .map(|lane| {
            let cfg = ChannelConfig {
                ppm,
                adc_bits: setup.sample_bits,
                phase_steps: 1 << setup.pi_bits,
                ..setup.channels[lane].clone()
            };
            let skew = setup.skew_ui.get(lane).copied().unwrap_or(0);
            let source = Rc::clone(&stream);
            let mut idle = Rng::new(setup.seed ^ (lane as u64 + 1));
            let source: crate::models::channel::Source =
                Box::new(move |index| match index.checked_sub(skew) {
                    Some(i) => source.borrow_mut().bit(lane, i),
                    None => (idle.next_u64() & 1) as u8,
                });
            Channel::with_source(cfg, setup.seed.wrapping_add(lane as u64 * 7919), source)
        })
        .collect();
    let mut checks: Vec<LaneCheck> = (0..lanes).map(|_| LaneCheck::default()).collect();
    let mut report = LinkReport {
        ppm,
        ..LinkReport::default()
    };

    // Reset for four edges of both clocks (counted from now: the design
    // may have run before, as a card's component does).
    sim.poke(&port("rx_rst"), 1)?;
    sim.poke(&port("rst"), 1)?;
    let (rx_start, start) = (sim.cycles(&rx_clk)?, sim.cycles(&clk)?);
    while sim.cycles(&rx_clk)? < rx_start + 4 || sim.cycles(&clk)? < start + 4 {
        sim.step()?;
    }
    sim.poke(&port("rx_rst"), 0)?;
    sim.poke(&port("rst"), 0)?;
    let rx0 = sim.cycles(&rx_clk)?;
    let all = (1u64 << lanes) - 1;
    let trace_every = (ui / PHASE_POINTS).max(1);
    let eye_every = ((ui.saturating_sub(setup.warmup_ui)) / EYE_TRACES as u64).max(1);
    let (sb, pb) = (setup.sample_bits, setup.pi_bits);
    let mut samples = Bits::zero(setup.lanes * sb);
    let mut done = 0;
    while done < ui {
        // Drive this UI's samples at the codes the CDRs chose.
        let codes = sim.peek_bits_handle(p.pi_code);
        for (lane, ch) in channels.iter_mut().enumerate() {
            let code = codes.field(lane as u32 * pb, pb) as u32;
            let x = ch.sample(code);
            samples.set_field(lane as u32 * sb, sb, x as u64);
        }
        sim.poke_bits_handle(p.rx_sample, &samples)?;
        let rx_before = sim.cycles(&rx_clk)?;
        while sim.cycles(&rx_clk)? == rx_before {
            let clk_before = sim.cycles(&clk)?;
            sim.step()?;
            if sim.cycles(&clk)? != clk_before && sim.peek_handle(p.tx_valid) == 1 {
                let bits = sim.peek_bits_handle(p.tx_data);
                let counting = done >= setup.warmup_ui;
                let mut s = stream.borrow_mut();
                for (lane, check) in checks.iter_mut().enumerate() {
                    check.push(u8::from(bits.bit(lane as u32)), lane, &mut s, counting);
                }
            }
        }
        done = sim.cycles(&rx_clk)? - rx0;
        let locked = sim.peek_handle(p.cdr_locked);
        if report.lock_ui.is_none()
            && locked == all
            && sim.peek_handle(p.block_lock) == all
            && sim.peek_handle(p.aligned) == 1
        {
            report.lock_ui = Some(done);
        }
        if done % trace_every == 0 {
            report.phase.push(PhasePoint {
                ui: done,
                code: codes.field(0, pb) as u32,
                locked: locked & 1 == 1,
            });
        }
        if let Some(eq) = &setup.equalizer {
            if done >= setup.warmup_ui && (done - setup.warmup_ui) % eye_every == 0 {
                let ffe = sim.peek_bits_handle(p.ffe_coefs);
                let dfe = sim.peek_bits_handle(p.dfe_coefs);
                eye_trace(&mut channels[0], eq, &ffe, &dfe, &mut report);
            }
        }
        progress(done);
    }
    report.ui = done;
    for (name, slot) in [
        ("eb_adds", &mut report.eb_adds),
        ("eb_drops", &mut report.eb_drops),
        ("eb_overflows", &mut report.eb_overflows),
        ("eb_underflows", &mut report.eb_underflows),
    ] {
        *slot = sim.peek(&port(name))?;
    }
    let per_lane = |sim: &mut Sim, name: &str| -> Result<Vec<u64>, SimError> {
        let h = sim.signal(&port(name))?;
        let width = h.width() / setup.lanes;
        let v = sim.peek_bits_handle(h);
        Ok((0..setup.lanes)
            .map(|l| v.field(l * width, width))
            .collect())
    };
    report.skew_ui = per_lane(sim, "skew")?;
    report.arrival_ui = channels
        .iter()
        .zip(&setup.skew_ui)
        .map(|(ch, skew)| {
            let sampled = ch.sent(0).map_or(0, |s| s.index as i64);
            *skew as i64 + ch.calls() as i64 - 1 - sampled
        })
        .collect();
    report.hdr_errors = per_lane(sim, "hdr_errors")?;
    report.lock_losses = per_lane(sim, "lock_losses")?;
    for c in &checks {
        report.blocks_checked += c.blocks;
        report.bits_checked += c.bits;
        report.bit_errors += c.bit_errors;
        report.framing_errors += c.framing_errors;
    }
    let shortest = checks
        .iter()
        .map(|c| c.skp_lengths.len())
        .min()
        .unwrap_or(0);
    report.lanes_agree_on_skp = checks
        .windows(2)
        .all(|w| w[0].skp_lengths[..shortest] == w[1].skp_lengths[..shortest]);
    Ok(report)
}

/// Adds one two-UI trace of lane 0's eye, input and equalized, centred on
/// the CDR's sampling instant a few UI back (the equalizers see the line
/// only there; the trace shows what they would see at other phases).
fn eye_trace(
    ch: &mut Channel,
    eq: &EqualizerLayout,
    ffe: &Bits,
    dfe: &Bits,
    report: &mut LinkReport,
) {
    let centre = ch.sampling_time() - 16.0;
    if centre < 16.0 {
        return;
    }
    let cb = eq.ffe_coeff_bits;
    let taps: Vec<f64> = (0..eq.ffe_taps)
        .map(|k| signed(ffe.field(k * cb, cb), cb) as f64 / f64::from(1u32 << (cb - 2)))
        .collect();
    let tb = eq.dfe_tap_bits;
    let feedback: Vec<f64> = (0..eq.dfe_taps)
        .map(|k| signed(dfe.field(k * tb, tb), tb) as f64)
        .collect();
    // The symbol the sampling instant decides.
    let symbol = centre.round() as i64;
    for step in 0..2 * EYE_STEPS {
        let offset = f64::from(step) / f64::from(EYE_STEPS) - 1.0;
        let t = centre + offset;
        let x = f64::from(ch.probe(t));
        let ffe_out: f64 = taps
            .iter()
            .enumerate()
            .map(|(k, c)| c * f64::from(ch.probe(t + f64::from(eq.ffe_cursor) - k as f64)))
            .sum();
        // Decision feedback switches symbols where the sampling instants do.
        let symbol = symbol + (offset + 0.5).floor() as i64;
        let dfe_out: f64 = feedback
            .iter()
            .enumerate()
            .map(|(j, w)| {
                let s = if ch.symbol(symbol - 1 - j as i64) == 1 {
                    1.0
                } else {
                    -1.0
                };
                w * s
            })
            .sum();
        report.eye_in.push((offset, x));
        report.eye_out.push((offset, ffe_out - dfe_out));
    }
}
