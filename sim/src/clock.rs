//! Clock domains and the edge scheduler.
//!
//! Rising edges of a clock fall at `phase + k * period` (k = 0, 1, ...), each
//! followed by a falling edge half a period later; the clock input reads 0
//! until its first rising edge. The scheduler jumps from one edge time to the
//! next, whichever clock it belongs to.

use super::error::SimError;

/// Period of a clock nobody configured, in picoseconds.
pub(crate) const DEFAULT_PERIOD_PS: u64 = 1000;

/// One clock domain's timing and progress.
#[derive(Clone, Debug)]
pub(crate) struct Clock {
    /// The top-level input's name without the top module (`clk`).
    pub name: String,
    /// The state word of that input.
    pub input: u32,
    pub period: u64,
    pub next_rise: u64,
    pub next_fall: Option<u64>,
    /// Time of the last rising edge processed.
    pub last_rise: Option<u64>,
    /// Rising edges processed.
    pub cycles: u64,
}

impl Clock {
    /// A clock with the default period and phase 0, driving state word
    /// `input`.
    pub fn new(name: String, input: u32) -> Clock {
        Clock {
            name,
            input,
            period: DEFAULT_PERIOD_PS,
            next_rise: 0,
            next_fall: None,
            last_rise: None,
            cycles: 0,
        }
    }

    /// Sets period and phase from time `now` on: the next rising edge is the
    /// first of the new grid at or after `now` that was not processed yet.
    pub fn configure(&mut self, period: u64, phase: u64, now: u64) -> Result<(), SimError> {
        if period < 2 {
            return Err(SimError::BadPeriod {
                clock: self.name.clone(),
                period_ps: period,
            });
        }
        let mut next = if phase >= now {
            phase
        } else {
            phase + (now - phase).div_ceil(period) * period
        };
        if self.last_rise == Some(next) {
            next += period;
        }
        self.period = period;
        self.next_rise = next;
        Ok(())
    }

    /// The time of this clock's next edge of either kind.
    pub fn next_event(&self) -> u64 {
        self.next_fall
            .map_or(self.next_rise, |f| f.min(self.next_rise))
    }

    /// Books a rising edge at `now` (the current `next_rise`).
    pub fn rise(&mut self, now: u64) {
        self.cycles += 1;
        self.last_rise = Some(now);
        self.next_rise = now + self.period;
        self.next_fall = Some(now + self.period / 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconfiguring_keeps_to_the_new_grid() {
        let mut c = Clock::new("clk".into(), 0);
        c.rise(0);
        assert_eq!((c.next_rise, c.next_fall), (1000, Some(500)));
        c.configure(300, 100, 0).unwrap();
        assert_eq!(c.next_rise, 100);
        c.configure(300, 0, 0).unwrap();
        assert_eq!(c.next_rise, 300, "the edge at 0 was already processed");
        assert!(c.configure(1, 0, 0).is_err());
    }
}
