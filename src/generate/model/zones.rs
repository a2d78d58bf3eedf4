//! The 265 TLC taxi zones: borough, name and service zone from the embedded TLC lookup
//! table, plus the pickup and drop-off weights the generator draws zones from.
//!
//! The weights are calibrated on the TLC's January 2024 yellow-taxi trips: the 15 busiest
//! pickup zones carry their real pickup counts (52 % of all trips between them), and the rest
//! of the mass is spread by service zone, as the real trips are (the Manhattan core dominates,
//! the outer boroughs are thin).

use std::sync::OnceLock;

use crate::generate::rng::cumulative;

/// The TLC Taxi Zone Lookup Table, unchanged (see `data/README.md`).
pub const ZONE_LOOKUP_CSV: &str = include_str!("../data/taxi_zone_lookup.csv");

pub const ZONE_COUNT: u16 = 265;
pub const NEWARK: u16 = 1;
pub const JFK: u16 = 132;
pub const LAGUARDIA: u16 = 138;

/// Manhattan Yellow Zone ids north of 96th Street: the congestion surcharge does not apply
/// to trips that stay there (the rest of the Manhattan Yellow Zone is south of 96th).
const YELLOW_ZONE_NORTH_OF_96TH: [u16; 3] = [24, 151, 194];

/// The Congestion Relief Zone (Manhattan south of 60th Street), where the $0.75 CBD
/// congestion fee applies to trips from 5 January 2025.
const CBD_ZONES: [u16; 41] = [
    4, 12, 13, 45, 48, 50, 68, 79, 87, 88, 90, 100, 103, 104, 105, 107, 113, 114, 125, 137, 144,
    148, 158, 161, 162, 163, 164, 170, 186, 209, 211, 224, 229, 230, 231, 232, 233, 234, 246, 249,
    261,
];

/// Real January 2024 pickup counts of the 15 busiest zones (TLC trip records).
const BUSIEST_PICKUPS: [(u16, u64); 15] = [
    (161, 141_132),
    (237, 140_793),
    (132, 138_349),
    (236, 134_852),
    (162, 105_010),
    (230, 103_904),
    (186, 102_807),
    (142, 102_518),
    (138, 87_887),
    (239, 87_327),
    (163, 84_201),
    (170, 81_679),
    (68, 76_313),
    (234, 75_110),
    (48, 74_782),
];

/// Weight of every other zone by service zone, chosen so that the 15 busiest zones carry
/// about 52 % of pickups as in the real month (54 other Yellow Zone ids, 197 Boro Zone ids).
const OTHER_YELLOW_WEIGHT: u64 = 27_000;
const BORO_WEIGHT: u64 = 1_300;
const EWR_WEIGHT: u64 = 300;
const PLACEHOLDER_WEIGHT: u64 = 8_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub id: u16,
    pub borough: String,
    pub name: String,
    pub service_zone: String,
    /// Answers the fare model asks for every trip, computed once rather than by string
    /// comparison per event.
    pub manhattan: bool,
    pub congestion: bool,
    pub cbd: bool,
}

pub struct ZoneModel {
    zones: Vec<Zone>,
    pickup_cumulative: Vec<u64>,
    dropoff_cumulative: Vec<u64>,
}

impl ZoneModel {
    /// The model, parsed once from the embedded table.
    pub fn get() -> &'static ZoneModel {
        static MODEL: OnceLock<ZoneModel> = OnceLock::new();
        MODEL.get_or_init(|| ZoneModel::from_csv(ZONE_LOOKUP_CSV))
    }

    fn from_csv(text: &str) -> ZoneModel {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let zones: Vec<Zone> = reader
            .records()
            .map(|row| {
                let row = row.expect("the embedded zone table is valid CSV");
                let id: u16 = row[0].parse().expect("the embedded zone ids are integers");
                let manhattan = &row[1] == "Manhattan";
                Zone {
                    id,
                    borough: row[1].to_string(),
                    name: row[2].to_string(),
                    service_zone: row[3].to_string(),
                    manhattan,
                    // Manhattan south of 96th Street: the Yellow Zone minus its northern ids.
                    congestion: manhattan
                        && &row[3] == "Yellow Zone"
                        && !YELLOW_ZONE_NORTH_OF_96TH.contains(&id),
                    cbd: CBD_ZONES.contains(&id),
                }
            })
            .collect();
        assert_eq!(
            zones.len(),
            usize::from(ZONE_COUNT),
            "the embedded zone table has 265 rows"
        );
        let pickup = zones.iter().map(pickup_weight);
        let pickup_cumulative = cumulative(pickup);
        // Drop-offs spread wider than pickups (people are taken home to the outer boroughs),
        // so the Boro Zone weight is tripled; airports receive fewer drop-offs than pickups.
        let dropoff = zones.iter().map(|zone| match zone.service_zone.as_str() {
            "Boro Zone" => BORO_WEIGHT * 3,
            "Airports" => pickup_weight(zone) / 2,
            _ => pickup_weight(zone),
        });
        let dropoff_cumulative = cumulative(dropoff);
        ZoneModel {
            zones,
            pickup_cumulative,
            dropoff_cumulative,
        }
    }

    /// The zone with TLC id `id` (1–265).
    pub fn zone(&self, id: u16) -> &Zone {
        &self.zones[usize::from(id - 1)]
    }

    /// The borough of a zone id, or `None` for an id outside the table.
    pub fn borough(&self, id: i64) -> Option<&str> {
        let index = usize::try_from(id).ok()?.checked_sub(1)?;
        self.zones.get(index).map(|zone| zone.borough.as_str())
    }

    pub fn pickup_cumulative(&self) -> &[u64] {
        &self.pickup_cumulative
    }

    pub fn dropoff_cumulative(&self) -> &[u64] {
        &self.dropoff_cumulative
    }

    /// Manhattan south of 96th Street, where the $2.50 congestion surcharge applies.
    pub fn in_congestion_zone(&self, id: u16) -> bool {
        self.zone(id).congestion
    }

    /// The Congestion Relief Zone, south of 60th Street.
    pub fn in_cbd(&self, id: u16) -> bool {
        self.zone(id).cbd
    }

    pub fn is_manhattan(&self, id: u16) -> bool {
        self.zone(id).manhattan
    }
}

fn pickup_weight(zone: &Zone) -> u64 {
    if let Some(&(_, count)) = BUSIEST_PICKUPS.iter().find(|(id, _)| *id == zone.id) {
        return count;
    }
    match zone.service_zone.as_str() {
        "Yellow Zone" => OTHER_YELLOW_WEIGHT,
        "EWR" => EWR_WEIGHT,
        "N/A" => PLACEHOLDER_WEIGHT,
        _ => BORO_WEIGHT,
    }
}

/// The ids of the 15 busiest pickup zones of January 2024, busiest first.
#[cfg(test)]
pub fn busiest_pickup_zones() -> impl Iterator<Item = u16> {
    BUSIEST_PICKUPS.iter().map(|(id, _)| *id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_the_airports_and_placeholders_where_tlc_puts_them() {
        let model = ZoneModel::get();
        assert_eq!(model.zone(NEWARK).borough, "EWR");
        assert_eq!(model.zone(JFK).name, "JFK Airport");
        assert_eq!(model.zone(LAGUARDIA).name, "LaGuardia Airport");
        // TLC's placeholder zones are valid ids (Silver keeps them).
        assert_eq!(model.zone(264).borough, "Unknown");
        assert_eq!(model.zone(265).name, "Outside of NYC");
        assert_eq!(model.borough(0), None);
        assert_eq!(model.borough(266), None);
        assert_eq!(model.borough(4), Some("Manhattan"));
    }

    #[test]
    fn congestion_and_cbd_zones_are_manhattan_core() {
        let model = ZoneModel::get();
        for id in CBD_ZONES {
            assert!(
                model.in_congestion_zone(id),
                "CBD zone {id} must be south of 96th"
            );
        }
        assert!(!model.in_congestion_zone(JFK));
        assert!(
            !model.in_congestion_zone(41),
            "Central Harlem is north of 96th"
        );
        assert!(
            !model.in_congestion_zone(151),
            "Manhattan Valley is north of 96th"
        );
    }

    #[test]
    fn busiest_zones_carry_about_52_percent_of_pickup_weight() {
        let model = ZoneModel::get();
        let total = *model.pickup_cumulative().last().unwrap() as f64;
        let busiest: u64 = BUSIEST_PICKUPS.iter().map(|(_, count)| count).sum();
        let share = busiest as f64 / total;
        assert!(
            (0.49..0.55).contains(&share),
            "share of the busiest 15: {share}"
        );
    }
}
