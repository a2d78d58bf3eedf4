//! The oracle: what a correct pipeline must output for one generation, accumulated while the
//! events are produced (format in `docs/data-contract.md`, section 5).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::generate::civil::{self, SECONDS_PER_DAY};
use crate::generate::dirty::{Category, Window};
use crate::generate::events::Event;
use crate::generate::model::zones::ZoneModel;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Oracle {
    pub seed: u64,
    pub events: u64,
    pub window: WindowJson,
    pub categories: Categories,
    pub bronze_rows: u64,
    pub silver_rows: u64,
    pub dead_letters: u64,
    pub gold: Gold,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowJson {
    pub start: String,
    pub end: String,
}

/// One count per dirty category, in the contract's order and names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Categories {
    pub duplicate: u64,
    pub non_positive_fare: u64,
    pub negative_distance: u64,
    pub null_passenger_count: u64,
    pub dropoff_before_pickup: u64,
    pub unknown_location: u64,
    pub outside_window: u64,
    pub malformed: u64,
}

impl Categories {
    fn count_mut(&mut self, category: Category) -> &mut u64 {
        match category {
            Category::Duplicate => &mut self.duplicate,
            Category::NonPositiveFare => &mut self.non_positive_fare,
            Category::NegativeDistance => &mut self.negative_distance,
            Category::NullPassengerCount => &mut self.null_passenger_count,
            Category::DropoffBeforePickup => &mut self.dropoff_before_pickup,
            Category::UnknownLocation => &mut self.unknown_location,
            Category::OutsideWindow => &mut self.outside_window,
            Category::Malformed => &mut self.malformed,
        }
    }

    pub fn get(&self, category: Category) -> u64 {
        match category {
            Category::Duplicate => self.duplicate,
            Category::NonPositiveFare => self.non_positive_fare,
            Category::NegativeDistance => self.negative_distance,
            Category::NullPassengerCount => self.null_passenger_count,
            Category::DropoffBeforePickup => self.dropoff_before_pickup,
            Category::UnknownLocation => self.unknown_location,
            Category::OutsideWindow => self.outside_window,
            Category::Malformed => self.malformed,
        }
    }

    #[cfg(test)]
    pub fn total(&self) -> u64 {
        Category::ALL.iter().map(|&c| self.get(c)).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gold {
    pub daily: Vec<DailyRow>,
    pub borough: Vec<BoroughRow>,
    pub payment_type: Vec<PaymentTypeRow>,
    pub hourly: Vec<HourlyRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DailyRow {
    pub date: String,
    pub trips: u64,
    pub revenue_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoroughRow {
    pub borough: String,
    pub trips: u64,
    pub revenue_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentTypeRow {
    pub payment_type: i64,
    pub trips: u64,
    pub revenue_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HourlyRow {
    pub hour: u32,
    pub trips: u64,
    pub revenue_cents: i64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    trips: u64,
    revenue_cents: i64,
}

impl Tally {
    fn add(&mut self, revenue_cents: i64) {
        self.trips += 1;
        self.revenue_cents += revenue_cents;
    }

    fn absorb(&mut self, other: Tally) {
        self.trips += other.trips;
        self.revenue_cents += other.revenue_cents;
    }
}

/// Trips and revenue per integer key. Keys in `[low, low + dense.len())` are counted in a
/// slice, the few outside it (none for the generator's own events) in a map: a `BTreeMap`
/// lookup per event for each of three keys was a tenth of generating an event.
#[derive(Debug, Clone)]
struct Tallies {
    low: i64,
    dense: Vec<Tally>,
    sparse: BTreeMap<i64, Tally>,
}

impl Tallies {
    /// Dense for the keys `low..=high`.
    fn new(low: i64, high: i64) -> Tallies {
        Tallies {
            low,
            dense: vec![Tally::default(); (high - low + 1).max(0) as usize],
            sparse: BTreeMap::new(),
        }
    }

    fn tally_mut(&mut self, key: i64) -> &mut Tally {
        match usize::try_from(key.wrapping_sub(self.low)) {
            Ok(at) if at < self.dense.len() => &mut self.dense[at],
            _ => self.sparse.entry(key).or_default(),
        }
    }

    fn add(&mut self, key: i64, revenue_cents: i64) {
        self.tally_mut(key).add(revenue_cents);
    }

    fn absorb(&mut self, other: Tallies) {
        for (key, tally) in other.counted() {
            self.tally_mut(key).absorb(tally);
        }
    }

    /// The keys that have trips, in ascending order, with their tallies.
    fn counted(&self) -> impl Iterator<Item = (i64, Tally)> + '_ {
        let dense = (self.low..)
            .zip(self.dense.iter().copied())
            .filter(|(_, tally)| tally.trips > 0);
        let mut all: BTreeMap<i64, Tally> = dense.collect();
        all.extend(self.sparse.iter().map(|(key, tally)| (*key, *tally)));
        all.into_iter()
    }
}

/// Accumulates the oracle event by event; O(1) per event, no per-trip memory.
pub struct OracleBuilder {
    seed: u64,
    window: Window,
    events: u64,
    categories: Categories,
    silver_rows: u64,
    by_day: Tallies,
    by_pickup_zone: Tallies,
    by_payment_type: Tallies,
    by_hour: [Tally; 24],
}

/// The key ranges counted densely: a clean record's zones are 1-265 (`dirty::silver_rejects`)
/// and its payment type one of the TLC's six.
const ZONES: (i64, i64) = (1, 265);
const PAYMENT_TYPES: (i64, i64) = (1, 6);

impl OracleBuilder {
    pub fn new(seed: u64, window: Window) -> OracleBuilder {
        OracleBuilder {
            seed,
            window,
            events: 0,
            categories: Categories::default(),
            silver_rows: 0,
            by_day: Tallies::new(
                window.start.div_euclid(SECONDS_PER_DAY),
                window.end.div_euclid(SECONDS_PER_DAY),
            ),
            by_pickup_zone: Tallies::new(ZONES.0, ZONES.1),
            by_payment_type: Tallies::new(PAYMENT_TYPES.0, PAYMENT_TYPES.1),
            by_hour: [Tally::default(); 24],
        }
    }

    pub fn add(&mut self, event: &Event) {
        self.events += 1;
        let record = match event {
            Event::Clean(record) => record,
            Event::Dirty(category, _) => return *self.categories.count_mut(*category) += 1,
            Event::Duplicate(_) => return self.categories.duplicate += 1,
            Event::Malformed(_) => return self.categories.malformed += 1,
        };
        self.silver_rows += 1;
        let revenue = record.money.total_amount;
        self.by_day
            .add(record.pickup.div_euclid(SECONDS_PER_DAY), revenue);
        self.by_pickup_zone
            .add(i64::from(record.pickup_zone), revenue);
        self.by_payment_type.add(record.payment_type, revenue);
        self.by_hour[civil::hour_of(record.pickup) as usize].add(revenue);
    }

    /// Adds another builder's counts: the oracle is a sum, so builders that saw disjoint
    /// parts of the stream (one per generator thread) merge into the whole.
    pub fn merge(&mut self, other: OracleBuilder) {
        self.events += other.events;
        self.silver_rows += other.silver_rows;
        for category in Category::ALL {
            *self.categories.count_mut(category) += other.categories.get(category);
        }
        self.by_day.absorb(other.by_day);
        self.by_pickup_zone.absorb(other.by_pickup_zone);
        self.by_payment_type.absorb(other.by_payment_type);
        for (hour, tally) in self.by_hour.iter_mut().zip(other.by_hour) {
            hour.absorb(tally);
        }
    }

    pub fn finish(self) -> Oracle {
        let zones = ZoneModel::get();
        let mut by_borough: BTreeMap<String, Tally> = BTreeMap::new();
        for (zone, tally) in self.by_pickup_zone.counted() {
            let borough = zones.borough(zone).expect("Silver rows have a known zone");
            by_borough
                .entry(borough.to_string())
                .or_default()
                .absorb(tally);
        }
        let malformed = self.categories.malformed;
        Oracle {
            seed: self.seed,
            events: self.events,
            window: WindowJson {
                start: civil::timestamp_string(self.window.start),
                end: civil::timestamp_string(self.window.end),
            },
            bronze_rows: self.events - malformed,
            silver_rows: self.silver_rows,
            dead_letters: malformed,
            categories: self.categories,
            gold: Gold {
                daily: self
                    .by_day
                    .counted()
                    .map(|(day, t)| DailyRow {
                        date: civil::date_string(day),
                        trips: t.trips,
                        revenue_cents: t.revenue_cents,
                    })
                    .collect(),
                borough: by_borough
                    .into_iter()
                    .map(|(borough, t)| BoroughRow {
                        borough,
                        trips: t.trips,
                        revenue_cents: t.revenue_cents,
                    })
                    .collect(),
                payment_type: self
                    .by_payment_type
                    .counted()
                    .map(|(payment_type, t)| PaymentTypeRow {
                        payment_type,
                        trips: t.trips,
                        revenue_cents: t.revenue_cents,
                    })
                    .collect(),
                hourly: (0u32..)
                    .zip(self.by_hour)
                    .filter(|(_, t)| t.trips > 0)
                    .map(|(hour, t)| HourlyRow {
                        hour,
                        trips: t.trips,
                        revenue_cents: t.revenue_cents,
                    })
                    .collect(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::dirty::DirtyRates;
    use crate::generate::events::Generator;

    #[test]
    fn counts_add_up_and_gold_sums_to_silver() {
        let start = civil::parse_timestamp("2024-01-01").unwrap();
        let window = Window {
            start,
            end: start + 7 * SECONDS_PER_DAY,
        };
        let generator = Generator::new(3, window, DirtyRates::new(&[]).unwrap());
        let mut builder = OracleBuilder::new(3, window);
        let mut even = OracleBuilder::new(3, window);
        let mut odd = OracleBuilder::new(3, window);
        for index in 0..30_000 {
            let event = generator.event(index);
            builder.add(&event);
            if index % 2 == 0 {
                even.add(&event)
            } else {
                odd.add(&event)
            }
        }
        even.merge(odd);
        let oracle = builder.finish();
        assert_eq!(even.finish(), oracle, "merged halves equal the whole");
        assert_eq!(oracle.events, 30_000);
        assert_eq!(
            oracle.silver_rows + oracle.categories.total(),
            oracle.events
        );
        assert_eq!(oracle.bronze_rows, oracle.events - oracle.dead_letters);
        assert_eq!(oracle.gold.daily.len(), 7);
        assert_eq!(oracle.window.end, "2024-01-08T00:00:00");
        for trips in [
            oracle.gold.daily.iter().map(|r| r.trips).sum::<u64>(),
            oracle.gold.borough.iter().map(|r| r.trips).sum(),
            oracle.gold.payment_type.iter().map(|r| r.trips).sum(),
            oracle.gold.hourly.iter().map(|r| r.trips).sum(),
        ] {
            assert_eq!(trips, oracle.silver_rows);
        }
        let revenue: i64 = oracle.gold.daily.iter().map(|r| r.revenue_cents).sum();
        assert_eq!(
            revenue,
            oracle
                .gold
                .hourly
                .iter()
                .map(|r| r.revenue_cents)
                .sum::<i64>()
        );
        let json = serde_json::to_value(&oracle).unwrap();
        assert!(json["categories"]["null_passenger_count"].as_u64().unwrap() > 0);
        assert!(json["gold"]["borough"][0]["borough"].is_string());
    }

    #[test]
    fn tallies_outside_the_dense_range_are_counted_in_order() {
        let mut tallies = Tallies::new(1, 3);
        for (key, cents) in [(2, 10), (0, 1), (7, 5), (2, 10), (3, 4), (-4, 2)] {
            tallies.add(key, cents);
        }
        let mut other = Tallies::new(1, 3);
        other.add(7, 1);
        other.add(1, 3);
        tallies.absorb(other);
        let counted: Vec<(i64, u64, i64)> = tallies
            .counted()
            .map(|(key, t)| (key, t.trips, t.revenue_cents))
            .collect();
        assert_eq!(
            counted,
            [
                (-4, 1, 2),
                (0, 1, 1),
                (1, 1, 3),
                (2, 2, 20),
                (3, 1, 4),
                (7, 2, 6)
            ]
        );
    }
}
