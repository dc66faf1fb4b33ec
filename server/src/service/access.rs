//! Who may call what, as types. A service function that needs an administrator takes `&Admin`,
//! and the only way to get an `Admin` is [`Admin::check`]: the API's bearer extractor and the
//! console's session both go through it, so no front end can forget the check.

use std::ops::Deref;

use qala_protocol::Role;

use super::{ServiceError, ServiceResult};
use crate::domain::Principal;

/// An administrator: acts for every agency, and edits the catalogue, staff, news, projects,
/// comments and the calendar.
#[derive(Clone, Debug)]
pub struct Admin(Principal);

impl Admin {
    pub fn check(p: Principal) -> ServiceResult<Admin> {
        if p.role == Role::Admin {
            Ok(Admin(p))
        } else {
            Err(ServiceError::Forbidden("for administrators only".into()))
        }
    }
}

impl Deref for Admin {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

/// A resident: the rights over their own data are theirs. (Staff accounts are managed by the
/// administrators.)
#[derive(Clone, Debug)]
pub struct Resident(Principal);

impl Resident {
    pub fn check(p: Principal) -> ServiceResult<Resident> {
        if p.role == Role::Resident {
            Ok(Resident(p))
        } else {
            Err(ServiceError::Forbidden("for residents only".into()))
        }
    }
}

impl Deref for Resident {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

/// Agency staff: an operator of one agency, or an administrator.
#[derive(Clone, Debug)]
pub struct Staff(Principal);

impl Staff {
    pub fn check(p: Principal) -> ServiceResult<Staff> {
        match p.role {
            Role::Admin => Ok(Staff(p)),
            Role::Operator if p.agency.is_some() => Ok(Staff(p)),
            Role::Operator => Err(ServiceError::Forbidden("operator without an agency".into())),
            Role::Resident => Err(ServiceError::Forbidden("for agency staff only".into())),
        }
    }

    /// The agency whose reports this member of staff works; `None` for all of them (administrators).
    pub fn scope(&self) -> Option<&str> {
        match self.0.role {
            Role::Admin => None,
            _ => self.0.agency.as_deref(),
        }
    }
}

impl From<Staff> for Principal {
    fn from(s: Staff) -> Principal {
        s.0
    }
}

impl Deref for Staff {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn who(role: Role, agency: Option<&str>) -> Principal {
        Principal { user_id: Uuid::nil(), role, agency: agency.map(Into::into) }
    }

    #[test]
    fn only_administrators_are_admins() {
        assert!(Admin::check(who(Role::Admin, None)).is_ok());
        assert!(Admin::check(who(Role::Operator, Some("roads"))).is_err());
        assert!(Admin::check(who(Role::Resident, None)).is_err());
    }

    #[test]
    fn staff_are_scoped_to_their_agency() {
        assert_eq!(Staff::check(who(Role::Operator, Some("roads"))).unwrap().scope(), Some("roads"));
        assert_eq!(Staff::check(who(Role::Admin, None)).unwrap().scope(), None);
        assert!(Staff::check(who(Role::Operator, None)).is_err());
        assert!(Staff::check(who(Role::Resident, None)).is_err());
    }
}
