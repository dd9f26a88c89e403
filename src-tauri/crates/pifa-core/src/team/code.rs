//! The team code: the team's id and its key, which a member passes to the others out of band
//! (printed or copied). The key seals supplier contacts and never reaches the database; the
//! database keeps only a check value, so a joining desktop learns whether its code fits.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use super::TeamError;

const PREFIX: &str = "PIFA1-";
const ID_LEN: usize = 16;
const KEY_LEN: usize = 32;
const CHECKSUM_LEN: usize = 4;

/// A team's id: random, not secret (it is the key's name in the keyring and the database).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TeamId([u8; ID_LEN]);

impl TeamId {
    pub fn parse(text: &str) -> Option<TeamId> {
        let mut id = [0u8; ID_LEN];
        hex::decode_to_slice(text.trim(), &mut id).ok()?;
        Some(TeamId(id))
    }
}

impl std::fmt::Display for TeamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// The team's secret key. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct TeamKey([u8; KEY_LEN]);

impl std::fmt::Debug for TeamKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TeamKey(…)")
    }
}

impl TeamKey {
    pub fn from_hex(text: &str) -> Option<TeamKey> {
        let mut key = [0u8; KEY_LEN];
        hex::decode_to_slice(text.trim(), &mut key).ok()?;
        Some(TeamKey(key))
    }

    pub fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// What the database keeps to recognize this key: an HMAC of a fixed text, which tells
    /// nothing about the key itself.
    pub fn check_value(&self) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(b"pifa team key check v1");
        mac.finalize().into_bytes().to_vec()
    }

    /// Whether `check` was made from this key (in constant time).
    pub fn fits(&self, check: &[u8]) -> bool {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(b"pifa team key check v1");
        mac.verify_slice(check).is_ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamCode {
    pub team_id: TeamId,
    pub key: TeamKey,
}

impl TeamCode {
    /// A new team: a random id and key from the OS.
    pub fn generate() -> TeamCode {
        let mut bytes = [0u8; ID_LEN + KEY_LEN];
        getrandom::fill(&mut bytes).expect("the OS random source works");
        let (id, key) = bytes.split_at(ID_LEN);
        TeamCode {
            team_id: TeamId(id.try_into().expect("16 bytes")),
            key: TeamKey(key.try_into().expect("32 bytes")),
        }
    }

    /// The code as members copy it: `PIFA1-` and base64url of id, key and a checksum, so a
    /// mistyped or cut-off code is refused rather than joining with a wrong key.
    pub fn encode(&self) -> String {
        let mut bytes = Vec::with_capacity(ID_LEN + KEY_LEN + CHECKSUM_LEN);
        bytes.extend_from_slice(&self.team_id.0);
        bytes.extend_from_slice(&self.key.0);
        let checksum = Sha256::digest(&bytes);
        bytes.extend_from_slice(&checksum[..CHECKSUM_LEN]);
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Reads a code as pasted: surrounding spaces and line breaks inside are ignored.
    pub fn parse(text: &str) -> Result<TeamCode, TeamError> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let body = compact
            .strip_prefix(PREFIX)
            .ok_or_else(|| TeamError::BadCode(format!("a team code starts with {PREFIX}")))?;
        if body.len() != ((ID_LEN + KEY_LEN + CHECKSUM_LEN) * 4).div_ceil(3) {
            return Err(TeamError::BadCode(
                "it is too short or too long: copy the whole code".into(),
            ));
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| TeamError::BadCode("it holds characters a team code never has".into()))?;
        let (payload, checksum) = bytes.split_at(ID_LEN + KEY_LEN);
        if Sha256::digest(payload)[..CHECKSUM_LEN] != *checksum {
            return Err(TeamError::BadCode(
                "it was mistyped or changed: copy it again".into(),
            ));
        }
        let (id, key) = payload.split_at(ID_LEN);
        Ok(TeamCode {
            team_id: TeamId(id.try_into().expect("16 bytes")),
            key: TeamKey(key.try_into().expect("32 bytes")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_as_itself_even_wrapped_over_lines() {
        let code = TeamCode::generate();
        let text = code.encode();
        assert!(text.starts_with("PIFA1-"));
        assert_eq!(TeamCode::parse(&text).unwrap(), code);
        let wrapped = format!("  {}\n{}  ", &text[..30], &text[30..]);
        assert_eq!(TeamCode::parse(&wrapped).unwrap(), code);
    }

    #[test]
    fn a_changed_or_cut_code_is_refused_with_its_reason() {
        let text = TeamCode::generate().encode();
        let mut changed: Vec<char> = text.chars().collect();
        let last = changed.len() - 10;
        changed[last] = if changed[last] == 'A' { 'B' } else { 'A' };
        let changed: String = changed.into_iter().collect();
        assert!(
            matches!(TeamCode::parse(&changed), Err(TeamError::BadCode(m)) if m.contains("mistyped"))
        );
        assert!(
            matches!(TeamCode::parse(&text[..40]), Err(TeamError::BadCode(m)) if m.contains("too short"))
        );
        assert!(matches!(
            TeamCode::parse("hello"),
            Err(TeamError::BadCode(_))
        ));
        assert!(matches!(
            TeamCode::parse("PIFA1-!!!"),
            Err(TeamError::BadCode(_))
        ));
    }

    #[test]
    fn the_check_value_recognizes_its_key_only() {
        let (a, b) = (TeamCode::generate(), TeamCode::generate());
        let check = a.key.check_value();
        assert!(a.key.fits(&check));
        assert!(!b.key.fits(&check));
        assert!(!format!("{:?}", a.key).contains(&hex::encode(a.key.bytes())));
    }
}
