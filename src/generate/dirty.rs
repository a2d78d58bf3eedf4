//! Dirty data: the categories of bad events the generator injects, their rates, how each one
//! spoils a clean record, and the canonical Silver rules that recognise them again.
//!
//! Each event falls in at most one category, and only clean records are re-sent as
//! duplicates, so the oracle's counts add up exactly (see `docs/data-contract.md`).

use anyhow::Context;

use crate::error::Error;
use crate::generate::record::{Money, TripRecord};
use crate::generate::rng::{EventRng, probability_threshold};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Duplicate,
    NonPositiveFare,
    NegativeDistance,
    NullPassengerCount,
    DropoffBeforePickup,
    UnknownLocation,
    OutsideWindow,
    Malformed,
}

impl Category {
    /// Every category, in the order their rates are drawn and the oracle lists them.
    pub const ALL: [Category; 8] = [
        Category::Duplicate,
        Category::NonPositiveFare,
        Category::NegativeDistance,
        Category::NullPassengerCount,
        Category::DropoffBeforePickup,
        Category::UnknownLocation,
        Category::OutsideWindow,
        Category::Malformed,
    ];

    /// The category's name in the oracle and the data contract.
    pub fn name(self) -> &'static str {
        match self {
            Category::Duplicate => "duplicate",
            Category::NonPositiveFare => "non_positive_fare",
            Category::NegativeDistance => "negative_distance",
            Category::NullPassengerCount => "null_passenger_count",
            Category::DropoffBeforePickup => "dropoff_before_pickup",
            Category::UnknownLocation => "unknown_location",
            Category::OutsideWindow => "outside_window",
            Category::Malformed => "malformed",
        }
    }

    /// Default rate: about 2.6 % of events are dirty, near the 1.26 % the real January 2024
    /// file loses to the staging filters plus a visible share of re-sends.
    pub fn default_rate(self) -> f64 {
        match self {
            Category::Duplicate => 0.01,
            Category::NonPositiveFare => 0.005,
            Category::NegativeDistance => 0.002,
            Category::NullPassengerCount => 0.003,
            Category::DropoffBeforePickup => 0.002,
            Category::UnknownLocation => 0.002,
            Category::OutsideWindow => 0.002,
            Category::Malformed => 0.001,
        }
    }
}

/// The rate of each category, validated: each in `[0, 1]`, together at most 1.
#[derive(Debug, Clone, PartialEq)]
pub struct DirtyRates {
    rates: [f64; 8],
}

impl DirtyRates {
    /// `overrides` holds `(category, rate)` for every flag the user gave.
    pub fn new(overrides: &[(Category, f64)]) -> anyhow::Result<DirtyRates> {
        let mut rates = Category::ALL.map(Category::default_rate);
        for &(category, rate) in overrides {
            if !(0.0..=1.0).contains(&rate) {
                return Err(Error::InvalidInput(format!(
                    "--{}-rate must be between 0 and 1, got {rate}",
                    category.name().replace('_', "-")
                ))
                .into());
            }
            rates[category as usize] = rate;
        }
        let sum: f64 = rates.iter().sum();
        if sum > 1.0 {
            return Err(Error::InvalidInput(format!(
                "the dirty-data rates add up to {sum}, more than 1: lower some of them"
            )))
            .context("checking the dirty-data rates");
        }
        Ok(DirtyRates { rates })
    }

    #[cfg(test)]
    pub fn rate(&self, category: Category) -> f64 {
        self.rates[category as usize]
    }

    /// Cumulative integer thresholds for one 53-bit draw per event.
    pub fn thresholds(&self) -> [u64; 8] {
        let mut sum = 0u64;
        self.rates.map(|rate| {
            sum += probability_threshold(rate);
            sum
        })
    }
}

/// The pickup window `[start, end)` in seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: i64,
    pub end: i64,
}

/// Spoils a clean record so that exactly the Silver rule of `category` rejects it and no
/// other. Not for `Duplicate` or `Malformed`, which are about the message, not the record.
pub fn spoil(category: Category, record: &mut TripRecord, rng: &mut EventRng, window: Window) {
    match category {
        Category::NonPositiveFare => {
            // Half are zero fares (a cancelled meter), half refunds: every amount negated, as
            // the TLC files record them.
            if rng.below(2) == 0 {
                let mut money = Money {
                    fare_amount: 0,
                    ..record.money
                };
                money.total_amount = money.parts_sum();
                record.money = money;
            } else {
                record.money = record.money.negated();
            }
        }
        Category::NegativeDistance => record.distance = -record.distance.max(1),
        Category::NullPassengerCount => record.passenger_count = None,
        Category::DropoffBeforePickup => {
            let duration = record.dropoff - record.pickup;
            record.dropoff = record.pickup - duration;
        }
        Category::UnknownLocation => {
            let bad_zone = if rng.below(2) == 0 {
                0
            } else {
                266 + rng.below(234) as i32
            };
            if rng.below(2) == 0 {
                record.pickup_zone = bad_zone;
            } else {
                record.dropoff_zone = bad_zone;
            }
        }
        Category::OutsideWindow => {
            // Between one minute and 30 days before the start or after the end.
            let shift = 60 + rng.below(30 * 86_400) as i64;
            let duration = record.dropoff - record.pickup;
            record.pickup = if rng.below(2) == 0 {
                window.start - shift
            } else {
                window.end - 1 + shift
            };
            record.dropoff = record.pickup + duration;
        }
        Category::Duplicate | Category::Malformed => {}
    }
}

/// The canonical Silver rules: the first rule a record breaks, or `None` if Silver keeps it.
pub fn silver_rejects(record: &TripRecord, window: Window) -> Option<Category> {
    let valid_zone = |zone: i32| (1..=265).contains(&zone);
    if record.dropoff <= record.pickup {
        Some(Category::DropoffBeforePickup)
    } else if record.money.fare_amount <= 0 {
        Some(Category::NonPositiveFare)
    } else if record.distance < 0 {
        Some(Category::NegativeDistance)
    } else if record.passenger_count.is_none() {
        Some(Category::NullPassengerCount)
    } else if !valid_zone(record.pickup_zone) || !valid_zone(record.dropoff_zone) {
        Some(Category::UnknownLocation)
    } else if record.pickup < window.start || record.pickup >= window.end {
        Some(Category::OutsideWindow)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_validated_with_the_flag_named() {
        let err = DirtyRates::new(&[(Category::NonPositiveFare, 1.5)]).unwrap_err();
        assert!(
            format!("{err:#}").contains("--non-positive-fare-rate"),
            "{err:#}"
        );
        assert_eq!(crate::error::exit_code_of(&err), crate::exit::INVALID_INPUT);
        let err =
            DirtyRates::new(&[(Category::Duplicate, 0.6), (Category::Malformed, 0.6)]).unwrap_err();
        assert!(format!("{err:#}").contains("more than 1"));
        assert!(DirtyRates::new(&[(Category::Duplicate, f64::NAN)]).is_err());
        let rates = DirtyRates::new(&[(Category::Duplicate, 0.0)]).unwrap();
        assert_eq!(rates.rate(Category::Duplicate), 0.0);
        assert_eq!(rates.rate(Category::Malformed), 0.001);
    }

    #[test]
    fn thresholds_are_cumulative() {
        let rates = DirtyRates::new(&Category::ALL.map(|c| (c, 0.125))).unwrap();
        assert_eq!(rates.thresholds()[7], 1 << 53);
    }
}
