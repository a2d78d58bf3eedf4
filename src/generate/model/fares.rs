//! What a trip costs, from the TLC yellow-taxi rate card (in force from 19 December 2022),
//! in cents.
//!
//! Metered fare: $3.00 initial charge plus $0.70 per 1/5 mile, or per minute when the cab is
//! stopped or slower than 12 mph. Surcharges: MTA tax $0.50, improvement surcharge $1.00,
//! overnight $1.00 (20:00–06:00), weekday rush hour $2.50 (16:00–20:00), congestion $2.50
//! for trips that touch Manhattan south of 96th Street, airport fee $1.75 on LaGuardia and
//! JFK pickups, CBD congestion fee $0.75 from 5 January 2025. JFK ↔ Manhattan is a $70 flat
//! fare (rate code 2, plus $5 in the weekday rush); Newark is metered plus a $20 surcharge
//! (rate code 3).

use crate::generate::civil::{self, SECONDS_PER_DAY};
use crate::generate::model::zones::{JFK, LAGUARDIA, NEWARK, ZoneModel};
use crate::generate::record::Money;

pub const INITIAL_CHARGE: i64 = 300;
pub const PER_UNIT: i64 = 70;
pub const MTA_TAX: i64 = 50;
pub const IMPROVEMENT_SURCHARGE: i64 = 100;
pub const OVERNIGHT_SURCHARGE: i64 = 100;
pub const RUSH_HOUR_SURCHARGE: i64 = 250;
pub const CONGESTION_SURCHARGE: i64 = 250;
pub const AIRPORT_FEE: i64 = 175;
pub const CBD_CONGESTION_FEE: i64 = 75;
pub const JFK_FLAT_FARE: i64 = 7000;
pub const JFK_RUSH_HOUR_SURCHARGE: i64 = 500;
pub const NEWARK_SURCHARGE: i64 = 2000;
/// The 2024 E-ZPass toll of the Queens-Midtown tunnel and the RFK bridge.
pub const TUNNEL_TOLL: i64 = 694;

/// Distance one fare unit covers: 1/5 mile, in hundredths of a mile.
const HUNDREDTHS_PER_DISTANCE_UNIT: i64 = 20;
/// Below 12 mph the meter charges time: 5 minutes per mile.
const SLOW_MINUTES_PER_MILE: i64 = 5;

/// The CBD fee's first day, 2025-01-05, as a day number.
const CBD_FEE_FIRST_DAY: i64 = 20_093;

pub fn rate_code_name(code: i64) -> &'static str {
    match code {
        1 => "Standard rate",
        2 => "JFK",
        3 => "Newark",
        4 => "Nassau or Westchester",
        5 => "Negotiated fare",
        6 => "Group ride",
        _ => "Null/unknown",
    }
}

pub const RATE_CODES: [i64; 7] = [1, 2, 3, 4, 5, 6, 99];

/// The rate code the trip's endpoints impose, if any (JFK ↔ Manhattan, to Newark).
pub fn imposed_rate_code(zones: &ZoneModel, pickup_zone: u16, dropoff_zone: u16) -> Option<i64> {
    let jfk_manhattan = (pickup_zone == JFK && zones.is_manhattan(dropoff_zone))
        || (dropoff_zone == JFK && zones.is_manhattan(pickup_zone));
    if jfk_manhattan {
        Some(2)
    } else if dropoff_zone == NEWARK {
        Some(3)
    } else {
        None
    }
}

/// The trip facts a fare depends on.
pub struct FareInput {
    pub rate_code: i64,
    pub pickup: i64,
    pub duration_seconds: i64,
    /// Hundredths of a mile.
    pub distance: i64,
    pub pickup_zone: u16,
    pub dropoff_zone: u16,
    pub tolls: i64,
    pub tip: i64,
}

/// The metered part of a fare: initial charge plus one unit per 1/5 mile and per slow minute.
pub fn metered_fare(distance: i64, duration_seconds: i64) -> i64 {
    let distance_units =
        (distance + HUNDREDTHS_PER_DISTANCE_UNIT - 1) / HUNDREDTHS_PER_DISTANCE_UNIT;
    let moving_minutes = distance * SLOW_MINUTES_PER_MILE / 100;
    let slow_minutes = (duration_seconds / 60 - moving_minutes).max(0);
    INITIAL_CHARGE + PER_UNIT * (distance_units + slow_minutes)
}

/// The fare and surcharges before the tip and tolls, which the caller decides.
pub fn fare_and_extra(input: &FareInput) -> (i64, i64) {
    let hour = civil::hour_of(input.pickup);
    let day = input.pickup.div_euclid(SECONDS_PER_DAY);
    let weekday_rush = civil::weekday(day) < 5 && (16..20).contains(&hour);
    let overnight = !(6..20).contains(&hour);
    match input.rate_code {
        2 => (
            JFK_FLAT_FARE,
            if weekday_rush {
                JFK_RUSH_HOUR_SURCHARGE
            } else {
                0
            },
        ),
        rate_code => {
            let mut fare = metered_fare(input.distance, input.duration_seconds);
            if rate_code == 5 {
                // A negotiated fare is agreed in whole dollars.
                fare = (fare + 99) / 100 * 100;
            }
            let mut extra = 0;
            if overnight {
                extra += OVERNIGHT_SURCHARGE;
            }
            if weekday_rush {
                extra += RUSH_HOUR_SURCHARGE;
            }
            if rate_code == 3 {
                extra += NEWARK_SURCHARGE;
            }
            (fare, extra)
        }
    }
}

/// Every money field of a trip; `total_amount` is the sum of the others.
pub fn money(zones: &ZoneModel, input: &FareInput) -> Money {
    let (fare_amount, extra) = fare_and_extra(input);
    let touches = |test: &dyn Fn(u16) -> bool| test(input.pickup_zone) || test(input.dropoff_zone);
    let congestion_surcharge = if touches(&|zone| zones.in_congestion_zone(zone)) {
        CONGESTION_SURCHARGE
    } else {
        0
    };
    let airport_fee = if input.pickup_zone == JFK || input.pickup_zone == LAGUARDIA {
        AIRPORT_FEE
    } else {
        0
    };
    let cbd_day = input.pickup.div_euclid(SECONDS_PER_DAY) >= CBD_FEE_FIRST_DAY;
    let cbd_congestion_fee = if cbd_day && touches(&|zone| zones.in_cbd(zone)) {
        CBD_CONGESTION_FEE
    } else {
        0
    };
    let mut money = Money {
        fare_amount,
        extra,
        mta_tax: MTA_TAX,
        tip_amount: input.tip,
        tolls_amount: input.tolls,
        improvement_surcharge: IMPROVEMENT_SURCHARGE,
        total_amount: 0,
        congestion_surcharge,
        airport_fee,
        cbd_congestion_fee,
    };
    money.total_amount = money.parts_sum();
    money
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(
        rate_code: i64,
        pickup: &str,
        distance: i64,
        minutes: i64,
        from: u16,
        to: u16,
    ) -> FareInput {
        FareInput {
            rate_code,
            pickup: civil::parse_timestamp(pickup).unwrap(),
            duration_seconds: minutes * 60,
            distance,
            pickup_zone: from,
            dropoff_zone: to,
            tolls: 0,
            tip: 0,
        }
    }

    #[test]
    fn metered_fare_follows_the_rate_card() {
        // 1 mile in 5 minutes: 5 distance units, no slow minutes.
        assert_eq!(metered_fare(100, 300), 300 + 5 * 70);
        // 1 mile in 15 minutes: 5 units + 10 slow minutes.
        assert_eq!(metered_fare(100, 900), 300 + 15 * 70);
        // A part unit is a whole unit.
        assert_eq!(metered_fare(21, 60), 300 + 2 * 70);
    }

    #[test]
    fn jfk_to_midtown_is_the_flat_fare_with_airport_fee_and_congestion() {
        let zones = ZoneModel::get();
        assert_eq!(imposed_rate_code(zones, JFK, 161), Some(2));
        assert_eq!(imposed_rate_code(zones, 161, NEWARK), Some(3));
        assert_eq!(imposed_rate_code(zones, 161, 237), None);
        let money = money(zones, &input(2, "2024-01-03T11:00:00", 1800, 45, JFK, 161));
        assert_eq!(money.fare_amount, JFK_FLAT_FARE);
        assert_eq!(money.extra, 0);
        assert_eq!(money.airport_fee, AIRPORT_FEE);
        assert_eq!(money.congestion_surcharge, CONGESTION_SURCHARGE);
        assert_eq!(money.total_amount, 7000 + 50 + 100 + 250 + 175);
    }

    #[test]
    fn surcharges_depend_on_the_hour_and_the_day() {
        let zones = ZoneModel::get();
        // Wednesday 17:00: rush hour. Saturday 17:00: none. Any day 23:00: overnight.
        let rush = money(zones, &input(1, "2024-01-03T17:00:00", 100, 5, 41, 42));
        assert_eq!(rush.extra, RUSH_HOUR_SURCHARGE);
        assert_eq!(rush.congestion_surcharge, 0, "Harlem is north of 96th");
        let saturday = money(zones, &input(1, "2024-01-06T17:00:00", 100, 5, 41, 42));
        assert_eq!(saturday.extra, 0);
        let night = money(zones, &input(1, "2024-01-06T23:00:00", 100, 5, 41, 42));
        assert_eq!(night.extra, OVERNIGHT_SURCHARGE);
        let newark = money(
            zones,
            &input(3, "2024-01-06T12:00:00", 1700, 40, 161, NEWARK),
        );
        assert_eq!(newark.extra, NEWARK_SURCHARGE);
    }

    #[test]
    fn cbd_fee_starts_on_5_january_2025() {
        let zones = ZoneModel::get();
        let before = money(zones, &input(1, "2025-01-04T12:00:00", 100, 5, 161, 237));
        let after = money(zones, &input(1, "2025-01-05T12:00:00", 100, 5, 161, 237));
        assert_eq!(before.cbd_congestion_fee, 0);
        assert_eq!(after.cbd_congestion_fee, CBD_CONGESTION_FEE);
        assert_eq!(after.total_amount, after.parts_sum());
        assert_eq!(civil::days_from_civil(2025, 1, 5), CBD_FEE_FIRST_DAY);
    }
}
