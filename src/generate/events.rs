//! The event stream: event `i` of a generation is a pure function of `(seed, i)` and the
//! options, so any sink, batch size or machine sees the same bytes.

use crate::generate::civil::SECONDS_PER_DAY;
use crate::generate::dirty::{self, Category, DirtyRates, Window};
use crate::generate::model::demand::Demand;
use crate::generate::model::trip::TripModel;
use crate::generate::record::TripRecord;
use crate::generate::rng::{EventRng, mix64};

/// How far back (in events) a re-sent duplicate reaches for its original, so that a streaming
/// engine's deduplication state needs to cover only a bounded stretch of the stream.
pub const DUPLICATE_REACH: u64 = 10_000;
/// How many earlier events a duplicate inspects for a clean original before giving up and
/// being a clean event itself (only possible with absurd dirty rates).
const DUPLICATE_SEARCH: u64 = 64;

/// What event `i` is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A clean record (Silver keeps it).
    Clean(TripRecord),
    /// A record spoiled in one category (Silver drops it).
    Dirty(Category, TripRecord),
    /// A byte-for-byte re-send of an earlier clean record.
    Duplicate(TripRecord),
    /// Not valid JSON; the record it was cut from is not Bronze.
    Malformed(TripRecord),
}

impl Event {
    pub fn record(&self) -> &TripRecord {
        match self {
            Event::Clean(r) | Event::Dirty(_, r) | Event::Duplicate(r) | Event::Malformed(r) => r,
        }
    }

    /// Appends the Kafka message value / JSON line of this event.
    pub fn write_payload(&self, out: &mut Vec<u8>) {
        match self {
            Event::Malformed(record) => {
                // A proper prefix of a JSON object is never valid JSON: this is what a
                // producer that died mid-write leaves behind.
                let start = out.len();
                record.write_json(out);
                let cut = start + (out.len() - start) / 2;
                out.truncate(cut);
            }
            other => other.record().write_json(out),
        }
    }
}

/// Everything that decides the events of one generation.
pub struct Generator {
    seed: u64,
    window: Window,
    thresholds: [u64; 8],
    trip_id_key: u64,
    model: TripModel,
}

impl Generator {
    pub fn new(seed: u64, window: Window, rates: DirtyRates) -> Generator {
        let days = ((window.end - window.start) / SECONDS_PER_DAY) as u32;
        let model = TripModel::new(Demand::new(window.start, days));
        Generator {
            seed,
            window,
            thresholds: rates.thresholds(),
            trip_id_key: mix64(seed.wrapping_add(0x7472_6970)),
            model,
        }
    }

    /// The category drawn for event `index`, before duplicates are resolved; the first draw
    /// of the event's stream, so it is cheap to ask for any index.
    fn drawn_category(&self, rng: &mut EventRng) -> Option<Category> {
        let draw = rng.next_u64() >> 11;
        let position = self
            .thresholds
            .partition_point(|&threshold| threshold <= draw);
        Category::ALL.get(position).copied()
    }

    /// The trip id of event `index`: a bijection of the index under this seed, so two
    /// distinct originals never share an id.
    pub fn trip_id(&self, index: u64) -> u64 {
        mix64(index ^ self.trip_id_key)
    }

    /// The clean record event `index` starts from.
    fn base_record(&self, index: u64, rng: &mut EventRng) -> TripRecord {
        self.model.trip(self.trip_id(index), rng)
    }

    /// Event number `index` of the generation.
    pub fn event(&self, index: u64) -> Event {
        let mut rng = EventRng::new(self.seed, index);
        let category = self.drawn_category(&mut rng);
        if category == Some(Category::Duplicate)
            && let Some(original) = self.clean_original_before(index, &mut rng)
        {
            let mut original_rng = EventRng::new(self.seed, original);
            self.drawn_category(&mut original_rng);
            return Event::Duplicate(self.base_record(original, &mut original_rng));
        }
        let mut record = self.base_record(index, &mut rng);
        match category {
            None | Some(Category::Duplicate) => Event::Clean(record),
            Some(Category::Malformed) => Event::Malformed(record),
            Some(dirty) => {
                dirty::spoil(dirty, &mut record, &mut rng, self.window);
                Event::Dirty(dirty, record)
            }
        }
    }

    /// A clean earlier event to re-send, or `None` when there is none nearby.
    fn clean_original_before(&self, index: u64, rng: &mut EventRng) -> Option<u64> {
        if index == 0 {
            return None;
        }
        let first = index - 1 - rng.below(index.min(DUPLICATE_REACH));
        (0..DUPLICATE_SEARCH)
            .map_while(|back| first.checked_sub(back))
            .find(|&candidate| {
                self.drawn_category(&mut EventRng::new(self.seed, candidate))
                    .is_none()
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::civil;
    use crate::generate::record::reference;
    use std::collections::HashSet;

    fn window() -> Window {
        let start = civil::parse_timestamp("2024-01-01").unwrap();
        Window {
            start,
            end: start + 31 * SECONDS_PER_DAY,
        }
    }

    fn generator(seed: u64) -> Generator {
        Generator::new(seed, window(), DirtyRates::new(&[]).unwrap())
    }

    #[test]
    fn every_dirty_event_breaks_exactly_its_own_silver_rule() {
        let generator = generator(42);
        let mut seen = HashSet::new();
        for index in 0..50_000 {
            match generator.event(index) {
                Event::Clean(record) | Event::Duplicate(record) => {
                    assert_eq!(
                        dirty::silver_rejects(&record, window()),
                        None,
                        "event {index}"
                    );
                }
                Event::Dirty(category, record) => {
                    assert_eq!(
                        dirty::silver_rejects(&record, window()),
                        Some(category),
                        "event {index}"
                    );
                    seen.insert(category);
                }
                Event::Malformed(_) => {
                    seen.insert(Category::Malformed);
                }
            }
        }
        assert_eq!(
            seen.len(),
            7,
            "every category but duplicate appears in 50k events: {seen:?}"
        );
    }

    #[test]
    fn duplicates_repeat_an_earlier_clean_event_exactly() {
        let generator = generator(7);
        let mut duplicates = 0;
        let mut payloads = std::collections::HashMap::new();
        for index in 0..20_000 {
            let event = generator.event(index);
            let mut payload = Vec::new();
            event.write_payload(&mut payload);
            let id = event.record().trip_id;
            match event {
                Event::Duplicate(_) => {
                    duplicates += 1;
                    assert_eq!(
                        payloads.get(&id),
                        Some(&payload),
                        "re-send of {id:x} differs or has no original"
                    );
                }
                _ => assert!(
                    payloads.insert(id, payload).is_none(),
                    "trip id {id:x} reused"
                ),
            }
        }
        assert!(
            (150..250).contains(&duplicates),
            "about 1 % duplicates, got {duplicates}"
        );
    }

    #[test]
    fn malformed_payloads_do_not_parse() {
        let generator = generator(1);
        let malformed = (0..20_000)
            .map(|i| generator.event(i))
            .filter(|e| matches!(e, Event::Malformed(_)))
            .inspect(|event| {
                let mut payload = Vec::new();
                event.write_payload(&mut payload);
                assert!(serde_json::from_slice::<serde_json::Value>(&payload).is_err());
            })
            .count();
        assert!(malformed > 5);
    }

    #[test]
    fn payloads_equal_the_reference_writer_over_seeds_and_dirty_rows() {
        // 80 % dirty: every category, malformed cuts included, many times per seed.
        let rates = DirtyRates::new(&Category::ALL.map(|c| (c, 0.1))).unwrap();
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for seed in 0..20 {
            let generator = Generator::new(seed, window(), rates.clone());
            for index in 0..5_000 {
                let event = generator.event(index);
                ours.clear();
                theirs.clear();
                event.write_payload(&mut ours);
                reference::write_json(event.record(), &mut theirs);
                if matches!(event, Event::Malformed(_)) {
                    theirs.truncate(theirs.len() / 2);
                }
                assert_eq!(ours, theirs, "seed {seed}, event {index}");
            }
        }
    }

    #[test]
    fn events_do_not_depend_on_the_order_they_are_asked_for() {
        let generator = generator(99);
        let forward: Vec<Event> = (0..500).map(|i| generator.event(i)).collect();
        let backward: Vec<Event> = (0..500).rev().map(|i| generator.event(i)).collect();
        assert!(forward.iter().eq(backward.iter().rev()));
    }
}
