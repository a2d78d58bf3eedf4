//! One clean trip, drawn from an event's random stream: who drove it, where and when it
//! went, how far and how long, and how it was paid.
//!
//! Shares are those of the TLC yellow-taxi trips of 2024 (vendor, passengers, payment, rate
//! code, tips); distances and speeds are piecewise-linear quantile tables, so a draw is
//! exact arithmetic with no `libm` call (see [`crate::generate::rng`]).

use crate::generate::model::demand::{self, Demand};
use crate::generate::model::fares::{self, FareInput};
use crate::generate::model::zones::{JFK, LAGUARDIA, NEWARK, ZoneModel};
use crate::generate::record::TripRecord;
use crate::generate::rng::{EventRng, cumulative};

/// TLC vendor ids with their share of trips (per ten thousand).
pub const VENDORS: [(i32, u64, &str, &str); 4] = [
    (1, 2_350, "Creative Mobile Technologies, LLC", "CMT"),
    (2, 7_550, "Curb Mobility, LLC", "Curb"),
    (6, 50, "Myle Technologies Inc", "Myle"),
    (7, 50, "Helix", "Helix"),
];

/// TLC payment types with their share of trips (per ten thousand): credit card about three
/// quarters, as in the real trips.
pub const PAYMENT_TYPES: [(i64, u64, &str); 6] = [
    (1, 7_600, "Credit card"),
    (2, 1_950, "Cash"),
    (3, 150, "No charge"),
    (4, 200, "Dispute"),
    (5, 50, "Unknown"),
    (6, 50, "Voided trip"),
];

/// Passenger counts 0–6 (per ten thousand).
const PASSENGERS: [u64; 7] = [100, 7_550, 1_500, 350, 250, 150, 100];

/// Rate codes for trips whose endpoints impose none (per ten thousand).
const FREE_RATE_CODES: [(i64, u64); 5] = [(1, 9_850), (4, 30), (5, 80), (6, 5), (99, 35)];

/// Trip distance quantiles in miles at probabilities 0, 1/8, …, 1, by kind of trip.
const SAME_ZONE_MILES: [f64; 9] = [0.10, 0.35, 0.50, 0.62, 0.75, 0.90, 1.10, 1.40, 2.50];
const MANHATTAN_MILES: [f64; 9] = [0.30, 0.75, 1.00, 1.30, 1.60, 2.00, 2.60, 3.60, 8.00];
const AIRPORT_MILES: [f64; 9] = [3.00, 8.50, 9.80, 10.90, 12.50, 16.50, 17.80, 19.50, 30.00];
const OTHER_MILES: [f64; 9] = [0.40, 1.00, 1.60, 2.30, 3.10, 4.20, 5.80, 8.50, 20.00];
/// Multipliers of the hour's average speed, at probabilities 0, 1/8, …, 1.
const SPEED_FACTORS: [f64; 9] = [0.55, 0.66, 0.75, 0.84, 0.93, 1.03, 1.16, 1.34, 1.90];
/// Tip as a percentage of fare plus extra, on card payments that tip.
const TIP_PERCENT: [f64; 9] = [5.0, 14.0, 18.0, 20.0, 20.0, 22.0, 25.0, 30.0, 40.0];

/// Card payments without a tip (per ten thousand).
const CARD_NO_TIP: u64 = 1_000;
/// Trips that store and forward (per ten thousand).
const STORE_AND_FORWARD: u64 = 50;
/// Chance of a toll on a trip that leaves Manhattan or uses an airport (per ten thousand).
const TOLL_CHANCE: u64 = 2_500;

/// Clean durations stay inside what any "impossible trip" filter keeps: 1 to 720 minutes.
pub const MIN_DURATION_SECONDS: i64 = 60;
pub const MAX_DURATION_SECONDS: i64 = 720 * 60;

/// Linear interpolation in a quantile table at a uniform draw `u` in `[0, 1)`.
fn quantile(table: &[f64; 9], u: f64) -> f64 {
    let position = u * 8.0;
    let index = (position as usize).min(7);
    let fraction = position - index as f64;
    table[index] + (table[index + 1] - table[index]) * fraction
}

/// The weight tables a trip is drawn from, built once per generation.
pub struct TripModel {
    zones: &'static ZoneModel,
    demand: Demand,
    vendors: Vec<u64>,
    payments: Vec<u64>,
    passengers: Vec<u64>,
    free_rate_codes: Vec<u64>,
}

impl TripModel {
    pub fn new(demand: Demand) -> TripModel {
        TripModel {
            zones: ZoneModel::get(),
            demand,
            vendors: cumulative(VENDORS.iter().map(|v| v.1)),
            payments: cumulative(PAYMENT_TYPES.iter().map(|p| p.1)),
            passengers: cumulative(PASSENGERS),
            free_rate_codes: cumulative(FREE_RATE_CODES.iter().map(|r| r.1)),
        }
    }

    /// Draws one clean trip.
    pub fn trip(&self, trip_id: u64, rng: &mut EventRng) -> TripRecord {
        let zones = self.zones;
        let pickup = self.demand.pickup(rng);
        let pickup_zone = (rng.pick(zones.pickup_cumulative()) + 1) as u16;
        let dropoff_zone = if rng.below(100) < 6 {
            pickup_zone
        } else {
            (rng.pick(zones.dropoff_cumulative()) + 1) as u16
        };
        let airport = [pickup_zone, dropoff_zone]
            .iter()
            .any(|z| [NEWARK, JFK, LAGUARDIA].contains(z));
        let table = if pickup_zone == dropoff_zone {
            &SAME_ZONE_MILES
        } else if airport {
            &AIRPORT_MILES
        } else if zones.is_manhattan(pickup_zone) && zones.is_manhattan(dropoff_zone) {
            &MANHATTAN_MILES
        } else {
            &OTHER_MILES
        };
        let distance = (quantile(table, rng.unit()) * 100.0).round() as i64;

        // The hourly averages are total miles over total minutes, which long fast trips
        // dominate; a short trip crawls through the grid at about 0.65 of that, a long one
        // leaves it for highways and bridges and goes up to three times as fast.
        let highway_factor = 0.65 * (1.0 + (distance as f64 / 100.0).min(20.0) / 8.0);
        let speed_mph = f64::from(demand::speed_tenths_mph(pickup)) / 10.0
            * quantile(&SPEED_FACTORS, rng.unit())
            * highway_factor;
        let duration_seconds = ((distance as f64 / 100.0) / speed_mph * 3600.0).round() as i64;
        let duration_seconds = duration_seconds.clamp(MIN_DURATION_SECONDS, MAX_DURATION_SECONDS);

        let rate_code = fares::imposed_rate_code(zones, pickup_zone, dropoff_zone)
            .unwrap_or_else(|| FREE_RATE_CODES[rng.pick(&self.free_rate_codes)].0);
        let payment_type = PAYMENT_TYPES[rng.pick(&self.payments)].0;
        let leaves_manhattan =
            !(zones.is_manhattan(pickup_zone) && zones.is_manhattan(dropoff_zone));
        let tolls = if (airport || leaves_manhattan) && rng.below(10_000) < TOLL_CHANCE {
            fares::TUNNEL_TOLL
        } else {
            0
        };

        let mut input = FareInput {
            rate_code,
            pickup,
            duration_seconds,
            distance,
            pickup_zone,
            dropoff_zone,
            tolls,
            tip: 0,
        };
        let tip_draw = rng.below(10_000);
        let tip_percent = quantile(&TIP_PERCENT, rng.unit());
        if payment_type == 1 && tip_draw >= CARD_NO_TIP {
            let (fare, extra) = fares::fare_and_extra(&input);
            input.tip = ((fare + extra) as f64 * tip_percent / 100.0).round() as i64;
        }
        TripRecord {
            trip_id,
            vendor_id: VENDORS[rng.pick(&self.vendors)].0,
            pickup,
            dropoff: pickup + duration_seconds,
            passenger_count: Some(rng.pick(&self.passengers) as i64),
            distance,
            rate_code,
            store_and_fwd: rng.below(10_000) < STORE_AND_FORWARD,
            pickup_zone: i32::from(pickup_zone),
            dropoff_zone: i32::from(dropoff_zone),
            payment_type,
            money: fares::money(zones, &input),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::civil;

    #[test]
    fn quantile_interpolates_between_points() {
        assert_eq!(quantile(&SAME_ZONE_MILES, 0.0), 0.10);
        assert!((quantile(&SAME_ZONE_MILES, 0.5) - 0.75).abs() < 1e-12);
        assert!(quantile(&SAME_ZONE_MILES, 0.999_999) <= 2.50);
    }

    #[test]
    fn clean_trips_are_possible_trips_whose_total_is_the_sum_of_parts() {
        let model = TripModel::new(Demand::new(
            civil::days_from_civil(2024, 1, 1) * civil::SECONDS_PER_DAY,
            31,
        ));
        for i in 0..20_000 {
            let trip = model.trip(i, &mut EventRng::new(5, i));
            let seconds = trip.dropoff - trip.pickup;
            assert!((MIN_DURATION_SECONDS..=MAX_DURATION_SECONDS).contains(&seconds));
            let mph = trip.distance as f64 / 100.0 / (seconds as f64 / 3600.0);
            assert!(mph < 100.0, "trip {i}: {mph} mph");
            assert!(trip.distance >= 0 && trip.money.fare_amount > 0);
            assert_eq!(trip.money.total_amount, trip.money.parts_sum());
            assert!(
                (1..=265).contains(&trip.pickup_zone) && (1..=265).contains(&trip.dropoff_zone)
            );
            if trip.payment_type != 1 {
                assert_eq!(trip.money.tip_amount, 0, "only card trips tip");
            }
        }
    }

    /// Pearson correlation of two equally long series.
    fn correlation(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len() as f64;
        let (mean_a, mean_b) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let cov: f64 = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - mean_a) * (y - mean_b))
            .sum();
        let var_a: f64 = a.iter().map(|x| (x - mean_a).powi(2)).sum();
        let var_b: f64 = b.iter().map(|y| (y - mean_b).powi(2)).sum();
        cov / (var_a * var_b).sqrt()
    }

    /// The generated month against the real January 2024 (TLC trip records, figures in
    /// `model/demand.rs` and `model/zones.rs`): each statistic within a stated tolerance.
    #[test]
    fn generated_january_looks_like_the_real_one() {
        use crate::generate::model::demand::{WEEKDAY_HOURLY, WEEKEND_HOURLY};
        use crate::generate::model::zones::busiest_pickup_zones;

        let start_day = civil::days_from_civil(2024, 1, 1);
        let model = TripModel::new(Demand::new(start_day * civil::SECONDS_PER_DAY, 31));
        let trips: Vec<TripRecord> = (0..100_000)
            .map(|i| model.trip(i, &mut EventRng::new(42, i)))
            .collect();
        let n = trips.len() as f64;

        let mut minutes: Vec<f64> = trips
            .iter()
            .map(|t| (t.dropoff - t.pickup) as f64 / 60.0)
            .collect();
        minutes.sort_by(f64::total_cmp);
        let median_minutes = minutes[minutes.len() / 2];
        let mean_minutes = minutes.iter().sum::<f64>() / n;
        // Real: median 12 min, mean 15 min.
        assert!(
            (10.0..14.0).contains(&median_minutes),
            "median duration {median_minutes}"
        );
        assert!(
            (12.0..18.0).contains(&mean_minutes),
            "mean duration {mean_minutes}"
        );

        // Real: 3.0-4.1 miles per trip by day, $27-31 revenue per trip by day.
        let mean_miles = trips.iter().map(|t| t.distance as f64 / 100.0).sum::<f64>() / n;
        assert!(
            (2.8..4.2).contains(&mean_miles),
            "mean distance {mean_miles}"
        );
        let mean_total = trips
            .iter()
            .map(|t| t.money.total_amount as f64 / 100.0)
            .sum::<f64>()
            / n;
        assert!(
            (24.0..34.0).contains(&mean_total),
            "mean total {mean_total}"
        );

        // Credit card: about three quarters.
        let card = trips.iter().filter(|t| t.payment_type == 1).count() as f64 / n;
        assert!((0.72..0.80).contains(&card), "card share {card}");

        // The 15 busiest zones of the real month take 52 % of pickups.
        let busiest: Vec<i32> = busiest_pickup_zones().map(i32::from).collect();
        let share = trips
            .iter()
            .filter(|t| busiest.contains(&t.pickup_zone))
            .count() as f64
            / n;
        assert!((0.47..0.57).contains(&share), "busiest-15 share {share}");

        // Hourly shape, weekdays and weekends apart: correlation with the real averages.
        for weekend in [false, true] {
            let mut by_hour = [0f64; 24];
            for trip in &trips {
                let day_of_week = civil::weekday(trip.pickup.div_euclid(civil::SECONDS_PER_DAY));
                if (day_of_week >= 5) == weekend {
                    by_hour[civil::hour_of(trip.pickup) as usize] += 1.0;
                }
            }
            let real = if weekend {
                WEEKEND_HOURLY
            } else {
                WEEKDAY_HOURLY
            }
            .map(|v| v as f64);
            let r = correlation(&by_hour, &real);
            assert!(r > 0.98, "hourly correlation (weekend: {weekend}) {r}");
        }
    }
}
