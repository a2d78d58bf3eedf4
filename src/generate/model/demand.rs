//! When trips start: demand by hour of day (weekday and weekend shapes) and by day of week,
//! and the average traffic speed by hour.
//!
//! The figures are the TLC yellow-taxi trips of January 2024: average trips per hour for
//! weekdays and weekend days, average trips per day of week (1 January, a holiday, counted as
//! the Monday it was), and average speed per hour from the hourly mean distance and duration.

use crate::generate::civil::{self, SECONDS_PER_DAY};
use crate::generate::rng::{EventRng, cumulative};

/// Average trips per pickup hour on a weekday, January 2024.
pub const WEEKDAY_HOURLY: [u64; 24] = [
    1660, 945, 616, 452, 390, 646, 1524, 3205, 4395, 4533, 4575, 4790, 5100, 5268, 5816, 6051,
    5992, 6726, 7034, 5988, 5259, 5274, 4527, 3164,
];

/// Average trips per pickup hour on a weekend day, January 2024.
pub const WEEKEND_HOURLY: [u64; 24] = [
    4828, 3781, 2758, 1671, 866, 396, 672, 1077, 1792, 2822, 3892, 4708, 5514, 5688, 5708, 5795,
    6069, 5963, 5875, 5346, 4479, 4542, 4500, 4212,
];

/// Average trips per day, Monday to Sunday, January 2024.
pub const DAY_OF_WEEK_TRIPS: [u64; 7] = [79_798, 90_955, 97_127, 105_144, 100_111, 103_093, 82_814];

/// Average speed in tenths of a mile per hour by pickup hour (weekday, weekend), from the
/// hourly mean distance over mean duration.
const WEEKDAY_SPEED_TENTHS: [u32; 24] = [
    210, 210, 195, 228, 233, 211, 168, 137, 115, 118, 114, 111, 116, 118, 119, 114, 117, 113, 122,
    141, 152, 157, 166, 182,
];
const WEEKEND_SPEED_TENTHS: [u32; 24] = [
    141, 133, 139, 155, 189, 256, 240, 230, 197, 179, 158, 141, 131, 130, 131, 129, 129, 123, 122,
    140, 155, 164, 172, 187,
];

fn is_weekend(day_of_week: u32) -> bool {
    day_of_week >= 5
}

/// Pickup times inside a window: one weight per hour of the window, so a draw is one binary
/// search.
pub struct Demand {
    start: i64,
    hour_cumulative: Vec<u64>,
}

impl Demand {
    /// Demand over `days` days from `start` (seconds since the epoch; any time of day): one
    /// slot per hour of the window, weighted by the weekday and hour it falls in.
    pub fn new(start: i64, days: u32) -> Demand {
        let weekday_total: u64 = WEEKDAY_HOURLY.iter().sum();
        let weekend_total: u64 = WEEKEND_HOURLY.iter().sum();
        let weights = (0..i64::from(days) * 24).map(|slot| {
            let slot_start = start + slot * 3600;
            let day_of_week = civil::weekday(slot_start.div_euclid(SECONDS_PER_DAY));
            let hour = civil::hour_of(slot_start) as usize;
            let (hourly, total) = if is_weekend(day_of_week) {
                (WEEKEND_HOURLY[hour], weekend_total)
            } else {
                (WEEKDAY_HOURLY[hour], weekday_total)
            };
            // Trips in this hour of this day, in thousandths of a trip.
            DAY_OF_WEEK_TRIPS[day_of_week as usize] * hourly * 1000 / total
        });
        Demand {
            start,
            hour_cumulative: cumulative(weights),
        }
    }

    /// A pickup time (seconds since the epoch) inside the window.
    pub fn pickup(&self, rng: &mut EventRng) -> i64 {
        let hour_index = rng.pick(&self.hour_cumulative) as i64;
        let second = rng.below(3600) as i64;
        self.start + hour_index * 3600 + second
    }
}

/// The average traffic speed (tenths of mph) at a pickup time.
pub fn speed_tenths_mph(pickup: i64) -> u32 {
    let hour = civil::hour_of(pickup) as usize;
    let day_of_week = civil::weekday(pickup.div_euclid(SECONDS_PER_DAY));
    if is_weekend(day_of_week) {
        WEEKEND_SPEED_TENTHS[hour]
    } else {
        WEEKDAY_SPEED_TENTHS[hour]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pickups_stay_inside_the_window_and_follow_the_evening_peak() {
        let start_day = civil::days_from_civil(2024, 1, 1);
        let demand = Demand::new(start_day * SECONDS_PER_DAY, 31);
        let mut by_hour = [0u32; 24];
        for i in 0..50_000 {
            let pickup = demand.pickup(&mut EventRng::new(9, i));
            assert!(pickup >= start_day * SECONDS_PER_DAY);
            assert!(pickup < (start_day + 31) * SECONDS_PER_DAY);
            by_hour[civil::hour_of(pickup) as usize] += 1;
        }
        assert!(
            by_hour[18] > 4 * by_hour[4],
            "6 pm must be far busier than 4 am: {by_hour:?}"
        );
    }

    #[test]
    fn a_window_starting_mid_day_keeps_every_pickup_inside() {
        let start = civil::parse_timestamp("2024-01-01T13:30:00").unwrap();
        let demand = Demand::new(start, 2);
        for i in 0..20_000 {
            let pickup = demand.pickup(&mut EventRng::new(4, i));
            assert!((start..start + 2 * SECONDS_PER_DAY).contains(&pickup));
        }
    }
}
