//! A behavioural serial channel: symbols in, ADC samples out.
//!
//! The transmitter sends one symbol per transmit UI: NRZ bits (code 0 or 1,
//! levels -1 and +1) or PAM4 levels (code 0..=3, levels -1, -1/3, +1/3, +1).
//! The line is the symbol sequence filtered by a FIR pulse response at
//! symbol spacing ([`ChannelConfig::taps`], main cursor at
//! [`ChannelConfig::cursor`]), scaled by [`ChannelConfig::amplitude`] ADC
//! LSBs, and interpolated linearly between symbol centres (so the eye is
//! open at integer times and transitions cross halfway between them).
//!
//! The receiver calls [`Channel::sample`] once per recovered-clock cycle with
//! the phase-interpolator code its CDR drives (`0..phase_steps` per UI). The
//! channel unwraps the code (a step of at most half a UI either way), so
//! cycle `k` samples at local time `k + phi_k` UI, where `phi_k` is the
//! unwrapped phase, and at transmit time
//! `t_k = (k + phi_k + initial_phase) * (1 + ppm 1e-6) + sj + rj`:
//! a positive `ppm` means the transmitter is faster than the receiver's
//! reference. Sinusoidal jitter `sj` and Gaussian random jitter `rj` are in
//! UI. Gaussian noise (rms in ADC LSBs) is added before rounding and clamping
//! to the signed ADC range.
//!
//! Each call records the symbol nearest its sampling instant, so a
//! scoreboard asks [`Channel::sent`] for the symbol sampled a pipeline
//! latency ago. Everything is seeded and deterministic.

use std::collections::VecDeque;
use std::f64::consts::PI;

/// The line code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modulation {
    /// Two levels, one bit per symbol.
    Nrz,
    /// Four levels, two bits per symbol.
    Pam4,
}

impl Modulation {
    /// Number of levels (2 or 4).
    pub fn levels(self) -> u8 {
        match self {
            Modulation::Nrz => 2,
            Modulation::Pam4 => 4,
        }
    }

    /// The normalised level of symbol `code`, in `-1.0..=1.0`.
    pub fn level(self, code: u8) -> f64 {
        let top = f64::from(self.levels() - 1);
        2.0 * f64::from(code.min(self.levels() - 1)) / top - 1.0
    }
}

/// How the channel distorts and samples the signal.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelConfig {
    /// The line code.
    pub modulation: Modulation,
    /// Pulse response at symbol spacing; `taps[cursor]` is the main cursor,
    /// earlier entries are pre-cursors, later ones post-cursors.
    pub taps: Vec<f64>,
    /// Index of the main cursor in `taps`.
    pub cursor: usize,
    /// ADC LSBs of a normalised level of 1.0 through a main cursor of 1.0.
    pub amplitude: f64,
    /// Transmit rate offset from the receiver's reference, in ppm.
    pub ppm: f64,
    /// Sinusoidal jitter amplitude in UI.
    pub sj_amplitude_ui: f64,
    /// Sinusoidal jitter frequency in cycles per UI.
    pub sj_frequency: f64,
    /// Random (Gaussian) jitter, rms UI.
    pub rj_rms_ui: f64,
    /// Additive Gaussian noise, rms ADC LSBs.
    pub noise_rms: f64,
    /// Signed ADC width in bits (2..=31).
    pub adc_bits: u32,
    /// Phase-interpolator codes per UI.
    pub phase_steps: u32,
    /// Sampling phase at the first call with code 0, in UI.
    pub initial_phase_ui: f64,
}

impl ChannelConfig {
    /// A clean channel: one main cursor, no offset, jitter or noise, an
    /// 8-bit ADC with levels at +-100 and 64 phase steps.
    pub fn clean(modulation: Modulation) -> ChannelConfig {
        ChannelConfig {
            modulation,
            taps: vec![1.0],
            cursor: 0,
            amplitude: 100.0,
            ppm: 0.0,
            sj_amplitude_ui: 0.0,
            sj_frequency: 0.0,
            rj_rms_ui: 0.0,
            noise_rms: 0.0,
            adc_bits: 8,
            phase_steps: 64,
            initial_phase_ui: 0.0,
        }
    }
}

/// A small seeded generator: splitmix64 with Box-Muller Gaussians.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (mean 0, deviation 1), by Box-Muller.
    pub fn gauss(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * PI * u2).cos()
    }
}

/// The symbol a sampling instant fell nearest to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sent {
    /// Index of the transmitted symbol (0 is the first).
    pub index: u64,
    /// Its code (NRZ 0..=1, PAM4 0..=3).
    pub code: u8,
}

/// Symbols a source produces: `source(index)` is the code of symbol `index`.
pub type Source = Box<dyn FnMut(u64) -> u8>;

/// How many past sampling instants [`Channel::sent`] remembers.
pub const HISTORY: usize = 256;

/// A channel being sampled. See the [module documentation](self).
pub struct Channel {
    cfg: ChannelConfig,
    rng: Rng,
    source: Source,
    /// Codes of symbols `base..base + symbols.len()`.
    symbols: VecDeque<u8>,
    base: u64,
    calls: u64,
    last_code: Option<u32>,
    /// Unwrapped phase in PI steps.
    phase: i64,
    time: f64,
    history: VecDeque<Sent>,
}

impl Channel {
    /// A channel carrying uniformly random symbols drawn from `seed`.
    pub fn new(cfg: ChannelConfig, seed: u64) -> Channel {
        let mut data = Rng::new(seed ^ 0x5eed_da7a);
        let levels = u64::from(cfg.modulation.levels());
        let source = Box::new(move |_| (data.next_u64() % levels) as u8);
        Channel::with_source(cfg, seed, source)
    }

    /// A channel carrying the symbols of `source` (asked once per symbol, in
    /// order); `seed` drives noise and jitter.
    pub fn with_source(cfg: ChannelConfig, seed: u64, source: Source) -> Channel {
        Channel {
            cfg,
            rng: Rng::new(seed),
            source,
            symbols: VecDeque::new(),
            base: 0,
            calls: 0,
            last_code: None,
            phase: 0,
            time: 0.0,
            history: VecDeque::with_capacity(HISTORY),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ChannelConfig {
        &self.cfg
    }

    /// One data sample at phase-interpolator code `code` (taken modulo
    /// `phase_steps`): a signed ADC value.
    pub fn sample(&mut self, code: u32) -> i32 {
        let t = self.advance(code);
        self.adc(t)
    }

    /// A data sample and the edge sample half a UI before it (for a
    /// bang-bang phase detector), at phase code `code`.
    pub fn sample_with_edge(&mut self, code: u32) -> (i32, i32) {
        let t = self.advance(code);
        let edge = self.adc(t - 0.5);
        (self.adc(t), edge)
    }

    /// The symbol nearest the sampling instant `calls_ago` calls back (0 is
    /// the last call); `None` before the first call or past [`HISTORY`].
    pub fn sent(&self, calls_ago: usize) -> Option<Sent> {
        self.history
            .len()
            .checked_sub(calls_ago + 1)
            .map(|i| self.history[i])
    }

    /// The transmit time in UI of the last sampling instant.
    pub fn sampling_time(&self) -> f64 {
        self.time
    }

    /// Calls to [`Channel::sample`] or [`Channel::sample_with_edge`] so far.
    pub fn calls(&self) -> u64 {
        self.calls
    }

    /// The code of transmitted symbol `index` (generated on first use;
    /// symbols before the retained window, and negative indices, read 0).
    pub fn symbol(&mut self, index: i64) -> u8 {
        let Ok(index) = u64::try_from(index) else {
            return 0;
        };
        while self.base + (self.symbols.len() as u64) <= index {
            let next = self.base + self.symbols.len() as u64;
            let code = (self.source)(next) % self.cfg.modulation.levels();
            self.symbols.push_back(code);
        }
        index
            .checked_sub(self.base)
            .map_or(0, |i| self.symbols[i as usize])
    }

    /// The ADC value a sample at transmit time `t` would give, without
    /// moving the sampling instant (for eye diagrams). `t` should lie within
    /// the last [`HISTORY`] UI before the last sampling instant, where the
    /// symbols are still retained.
    pub fn probe(&mut self, t: f64) -> i32 {
        self.adc(t)
    }

    /// The noiseless line at integer time `n`: the FIR over the symbols.
    fn line(&mut self, n: i64) -> f64 {
        let cursor = self.cfg.cursor as i64;
        let mut v = 0.0;
        for j in 0..self.cfg.taps.len() {
            let code = self.symbol(n + cursor - j as i64);
            v += self.cfg.taps[j] * self.cfg.modulation.level(code);
        }
        v * self.cfg.amplitude
    }

    /// The quantised, noisy sample at transmit time `t`.
    fn adc(&mut self, t: f64) -> i32 {
        let n = t.floor();
        let f = t - n;
        let n = n as i64;
        let v = (1.0 - f) * self.line(n) + f * self.line(n + 1);
        let v = v + self.cfg.noise_rms * self.rng.gauss();
        let max = f64::from((1u32 << self.cfg.adc_bits.clamp(2, 31).saturating_sub(1)) - 1);
        v.round().clamp(-max - 1.0, max) as i32
    }

    /// Moves to the next sampling instant for phase code `code`; returns its
    /// transmit time and records the symbol nearest to it.
    fn advance(&mut self, code: u32) -> f64 {
        let steps = i64::from(self.cfg.phase_steps.max(1));
        let code = i64::from(code) % steps;
        if let Some(last) = self.last_code {
            let delta = (code - i64::from(last)).rem_euclid(steps);
            self.phase += if delta > steps / 2 {
                delta - steps
            } else {
                delta
            };
        } else {
            self.phase = code;
        }
        self.last_code = Some(code as u32);
        let k = self.calls as f64;
        self.calls += 1;
        let local = k + self.phase as f64 / steps as f64 + self.cfg.initial_phase_ui;
        let sj = self.cfg.sj_amplitude_ui * (2.0 * PI * self.cfg.sj_frequency * k).sin();
        let rj = self.cfg.rj_rms_ui * self.rng.gauss();
        self.time = local * (1.0 + self.cfg.ppm * 1e-6) + sj + rj;
        let nearest = self.time.round() as i64;
        let sent = Sent {
            index: u64::try_from(nearest).unwrap_or(0),
            code: self.symbol(nearest),
        };
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(sent);
        self.trim();
        self.time
    }

    /// Forgets symbols well behind the sampling instant.
    fn trim(&mut self) {
        let keep = self.cfg.taps.len() as f64 + HISTORY as f64 + 8.0;
        let oldest = (self.time - keep).max(0.0) as u64;
        while self.base < oldest && !self.symbols.is_empty() {
            self.symbols.pop_front();
            self.base += 1;
        }
    }
}
