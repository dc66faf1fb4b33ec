//! Who may see a media file.

use qala_protocol::Role;

use crate::domain::Principal;
use crate::store::{MediaLink, MediaRow};

/// The uploader always; an administrator always; an operator of an agency whose report uses the
/// file; the author of a report whose *answer* carries the file (the photo report). A report that
/// merely declares someone else's media id gains nothing: report media count only when the report's
/// author uploaded them, answer media only when staff did.
pub fn may_view(p: &Principal, media: &MediaRow, links: &[MediaLink]) -> bool {
    if p.user_id == media.owner || p.role == Role::Admin {
        return true;
    }
    let staff_file = media.owner_role != Role::Resident;
    links.iter().any(|l| {
        let genuine = if l.in_answer { staff_file } else { l.report_owner == media.owner };
        genuine && ((l.in_answer && l.report_owner == p.user_id) || p.acts_for(&l.agency))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use qala_protocol::MediaKind;
    use uuid::Uuid;

    fn media(owner: Uuid, role: Role) -> MediaRow {
        MediaRow {
            id: Uuid::now_v7(),
            owner,
            owner_role: role,
            kind: MediaKind::Photo,
            content_type: "image/jpeg".into(),
            size: 1,
            sha256: String::new(),
            upload_length: 1,
            created_at: Utc::now(),
        }
    }

    fn who(role: Role, agency: Option<&str>) -> Principal {
        Principal { user_id: Uuid::now_v7(), role, agency: agency.map(String::from) }
    }

    #[test]
    fn a_stranger_cannot_borrow_my_photo_by_declaring_it() {
        let me = who(Role::Resident, None);
        let thief = who(Role::Resident, None);
        let m = media(me.user_id, Role::Resident);
        let links = vec![
            MediaLink { report_owner: me.user_id, agency: "roads".into(), in_answer: false },
            MediaLink { report_owner: thief.user_id, agency: "roads".into(), in_answer: false },
            MediaLink { report_owner: thief.user_id, agency: "roads".into(), in_answer: true },
        ];
        assert!(may_view(&me, &m, &links));
        assert!(!may_view(&thief, &m, &links));
        assert!(may_view(&who(Role::Operator, Some("roads")), &m, &links));
        assert!(!may_view(&who(Role::Operator, Some("parks")), &m, &links));
        assert!(may_view(&who(Role::Admin, None), &m, &links));
    }

    #[test]
    fn the_author_sees_the_answer_photo() {
        let author = who(Role::Resident, None);
        let op = who(Role::Operator, Some("roads"));
        let m = media(op.user_id, Role::Operator);
        let links = vec![MediaLink { report_owner: author.user_id, agency: "roads".into(), in_answer: true }];
        assert!(may_view(&author, &m, &links));
        assert!(!may_view(&who(Role::Resident, None), &m, &links));
    }
}
