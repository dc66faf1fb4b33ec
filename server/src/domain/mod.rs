//! Rules of the city, free of storage and HTTP: working-day deadlines, registration numbers, what
//! each actor may do to a report in which status.

pub mod calendar;
pub mod quota;
pub mod reports;
pub mod stats;

use qala_protocol::Role;
use uuid::Uuid;

/// Who is asking: the signed-in user behind a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Uuid,
    pub role: Role,
    /// The operator's agency; `None` for residents and administrators.
    pub agency: Option<String>,
}

impl Principal {
    /// May this principal act for `agency`? Administrators act for every agency.
    pub fn acts_for(&self, agency: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Operator => self.agency.as_deref() == Some(agency),
            Role::Resident => false,
        }
    }
}

/// The pseudonym a resident's comments carry: stable, short, and not derived from the phone number.
pub fn display_name(user_id: Uuid) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(user_id.as_bytes());
    format!("Qala-{}", hex::encode_upper(&h[..3]))
}
