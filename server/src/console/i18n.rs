//! The console's words, from the one set of texts every front end shares (`qala-texts`): the
//! console's own keys start with `console-`, and it uses the shared `status-*`, `reason-*` and
//! `project-*`, so a status reads the same in the console as on the resident's phone. A missing
//! key shows as `⟦missing text⟧`, which the tests look for on every page they open.

use qala_protocol::{Lang, ReportStatus};
use qala_texts::Texts;

/// The language a page is rendered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct L(pub Lang);

pub fn parse_lang(code: &str) -> Option<Lang> {
    Lang::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(code))
}

impl L {
    pub fn t(self, key: &str) -> &'static str {
        Texts::get(self.0).text(key).unwrap_or_else(|| {
            tracing::warn!(key, "console text missing");
            "⟦missing text⟧"
        })
    }

    pub fn status(self, s: ReportStatus) -> &'static str {
        self.t(&format!("status-{}", s.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the console's code names, taken from its source.
    fn keys_used() -> Vec<String> {
        let sources = [
            include_str!("admin/mod.rs"),
            include_str!("admin/catalog.rs"),
            include_str!("admin/staff.rs"),
            include_str!("admin/news.rs"),
            include_str!("admin/projects.rs"),
            include_str!("admin/comments.rs"),
            include_str!("admin/holidays.rs"),
            include_str!("layout.rs"),
            include_str!("queue.rs"),
            include_str!("report.rs"),
            include_str!("session.rs"),
        ];
        let prefixes = ["console-", "status-", "reason-", "project-"];
        sources
            .iter()
            .flat_map(|src| qala_texts::keys_named_in(src, &prefixes))
            // Not a text: the console sessions' device id.
            .filter(|k| k != super::super::session::CONSOLE_DEVICE)
            .collect()
    }

    #[test]
    fn every_key_used_has_a_text_in_every_language() {
        let used = keys_used();
        assert!(used.len() > 100, "found only {} keys: the scan is broken", used.len());
        for key in used {
            for lang in Lang::ALL {
                assert!(Texts::get(lang).text(&key).is_some(), "no plain {lang:?} text for {key}");
            }
        }
    }

    #[test]
    fn dynamic_keys_exist() {
        for s in ReportStatus::ALL {
            for lang in Lang::ALL {
                assert!(!L(lang).status(s).contains('⟦'), "{s:?}");
            }
        }
        for r in crate::console::report::REJECT_REASONS {
            assert!(!L(Lang::Kk).t(&format!("reason-{}", crate::console::report::reason_code(r))).contains('⟦'));
        }
        assert_eq!(L(Lang::En).t("no-such"), "⟦missing text⟧");
        assert_eq!(parse_lang("KK"), Some(Lang::Kk));
    }
}
