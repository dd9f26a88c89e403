//! Which 1688 gateway the app talks to.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Mode {
    /// Pifa's own 1688-compatible gateway with a generated catalog: no 1688 account needed, and
    /// every figure shown is generated, which the UI says plainly.
    Demo,
    /// The real 1688 Open Platform with the user's own app key.
    Live,
}

/// Faults the demo gateway simulates, so the health dashboard can be seen reacting to a bad day
/// without a real one: chosen in Settings, or with `--demo-faults` / `PIFA_DEMO_FAULTS`. A live
/// gateway is never touched by it, and the figures it yields stay apart from live ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum DemoFaults {
    #[default]
    Off,
    /// What a bad day on a real gateway looks like: of the business calls, 10% answered 5xx,
    /// 3% dropped connections, 2% cut-off answers and 1% throttled.
    Realistic,
}

impl DemoFaults {
    pub const ALL: [DemoFaults; 2] = [DemoFaults::Off, DemoFaults::Realistic];

    /// The name in settings, flags and the environment.
    pub fn as_str(self) -> &'static str {
        match self {
            DemoFaults::Off => "off",
            DemoFaults::Realistic => "realistic",
        }
    }

    pub fn parse(text: &str) -> Option<DemoFaults> {
        let text = text.trim();
        DemoFaults::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_profiles_round_trip_by_name() {
        for faults in DemoFaults::ALL {
            assert_eq!(DemoFaults::parse(faults.as_str()), Some(faults));
            let json = serde_json::to_string(&faults).unwrap();
            assert_eq!(json, format!("\"{}\"", faults.as_str()));
        }
        assert_eq!(
            DemoFaults::parse(" Realistic "),
            Some(DemoFaults::Realistic)
        );
        assert_eq!(DemoFaults::parse("heavy"), None);
    }
}
