//! Every text Qala shows, in Kazakh, Russian and English, from one set of Fluent files
//! (`locales/{kk,ru,en}.ftl`): the resident's app (qala-ui), its notifications (the shell), the
//! operator console and the public statistics page (qala-server), and the bot to come. So a word
//! such as a report's status reads the same everywhere, and a translation is fixed in one place.
//!
//! Fluent brings CLDR plural rules ("1 день / 2 дня / 5 дней", "1 күн / 5 күн"). The files are
//! compiled in: the app must speak before it has ever been online. The three languages are parsed
//! once per process, when a text is first asked for. The console's and the statistics page's texts
//! (`locales/staff/`) come with the `staff` feature, which the server turns on: the resident's app
//! does not carry them in its bundle.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use qala_protocol::Lang;

/// The resident's app's Fluent source of each language (with the words every front end shares).
pub const APP_SOURCES: [(Lang, &str); 3] = [
    (Lang::Kk, include_str!("../locales/kk.ftl")),
    (Lang::Ru, include_str!("../locales/ru.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
];

/// The console's and the statistics page's Fluent source of each language.
#[cfg(feature = "staff")]
pub const STAFF_SOURCES: [(Lang, &str); 3] = [
    (Lang::Kk, include_str!("../locales/staff/kk.ftl")),
    (Lang::Ru, include_str!("../locales/staff/ru.ftl")),
    (Lang::En, include_str!("../locales/staff/en.ftl")),
];

/// Every Fluent source this build carries, with its language.
pub fn sources() -> Vec<(Lang, &'static str)> {
    #[allow(unused_mut)]
    let mut all = APP_SOURCES.to_vec();
    #[cfg(feature = "staff")]
    all.extend(STAFF_SOURCES);
    all
}

/// An argument to a message.
pub enum Arg {
    /// A number: selects the plural form.
    Num(i64),
    Str(String),
}

/// One language's texts.
pub struct Texts {
    pub lang: Lang,
    bundle: FluentBundle<FluentResource>,
}

impl Texts {
    /// The texts of `lang`, parsed on first use.
    pub fn get(lang: Lang) -> &'static Texts {
        static ALL: OnceLock<[Texts; 3]> = OnceLock::new();
        let all = ALL.get_or_init(|| APP_SOURCES.map(|(lang, _)| Texts::parse(lang)));
        all.iter().find(|t| t.lang == lang).unwrap_or(&all[1])
    }

    fn parse(lang: Lang) -> Texts {
        let id: unic_langid::LanguageIdentifier = lang.code().parse().expect("language codes are valid");
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // No Unicode isolation marks around arguments: they show as boxes in some webview fonts,
        // and a plain message stays a borrowed `&'static str` (see `text`).
        bundle.set_use_isolating(false);
        for (_, src) in sources().into_iter().filter(|(l, _)| *l == lang) {
            // A file that does not parse is a test failure (`every_file_parses`); keep what parsed.
            let res = FluentResource::try_new(src.to_string()).unwrap_or_else(|(res, _)| res);
            let _ = bundle.add_resource(res);
        }
        Texts { lang, bundle }
    }

    /// A message without arguments, as a `&'static str` (pages built by templates want one);
    /// `None` when the key is missing or the message needs arguments.
    pub fn text(&'static self, key: &str) -> Option<&'static str> {
        let pattern = self.bundle.get_message(key)?.value()?;
        let mut errors = vec![];
        match self.bundle.format_pattern(pattern, None, &mut errors) {
            std::borrow::Cow::Borrowed(s) if errors.is_empty() => Some(s),
            _ => None,
        }
    }

    /// The message `key`, or the key itself when missing (tests keep that from shipping).
    pub fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The message `key` with arguments; numbers select plural forms.
    pub fn t_args(&self, key: &str, args: &[(&str, Arg)]) -> String {
        let mut fa = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Num(n) => fa.set(*name, FluentValue::from(*n)),
                Arg::Str(s) => fa.set(*name, FluentValue::from(s.clone())),
            }
        }
        self.format(key, Some(&fa))
    }

    /// Has this language a message `key`?
    pub fn has(&self, key: &str) -> bool {
        self.bundle.has_message(key)
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut errors = vec![];
        self.bundle.format_pattern(pattern, args, &mut errors).into_owned()
    }
}

/// The keys of a Fluent source.
pub fn keys(src: &str) -> BTreeSet<String> {
    let res = match FluentResource::try_new(src.to_string()) {
        Ok(res) | Err((res, _)) => res,
    };
    res.entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

/// Every string literal of `source` that names a key with one of `prefixes` (`"status-done"`): what
/// a front end's test checks against the files, so a screen cannot ask for a text nobody wrote.
pub fn keys_named_in(source: &str, prefixes: &[&str]) -> BTreeSet<String> {
    // From each `"<prefix>` to the next quote: robust to escaped quotes elsewhere in the source
    // (HTML in format strings), which would put a scan of quote pairs out of step.
    let mut out = BTreeSet::new();
    for p in prefixes {
        for (i, _) in source.match_indices(&format!("\"{p}")) {
            let rest = &source[i + 1..];
            let Some(end) = rest.find('"') else { continue };
            let lit = &rest[..end];
            let keyish = lit.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
            if keyish && lit.len() > p.len() {
                out.insert(lit.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_parses_and_defines_each_key_once() {
        for lang in Lang::ALL {
            // Both files of a language in one bundle: a key written twice, in one file or across
            // the two, is an error of `add_resource` (the second one is dropped).
            let mut bundle = FluentBundle::new_concurrent(vec![lang.code().parse().unwrap()]);
            for (_, src) in sources().into_iter().filter(|(l, _)| *l == lang) {
                let res = match FluentResource::try_new(src.to_string()) {
                    Ok(res) => res,
                    Err((_, errors)) => panic!("{lang:?}: {errors:?}"),
                };
                if let Err(errors) = bundle.add_resource(res) {
                    panic!("{lang:?}: {errors:?}");
                }
            }
        }
    }

    #[test]
    fn every_language_has_every_key() {
        #[allow(unused_mut)]
        let mut sets = vec![APP_SOURCES];
        #[cfg(feature = "staff")]
        sets.push(STAFF_SOURCES);
        for set in sets {
            let en = keys(set[2].1);
            assert!(en.len() > 100, "an English file looks truncated: {}", en.len());
            for (lang, src) in set {
                let k = keys(src);
                let missing: Vec<_> = en.difference(&k).collect();
                let extra: Vec<_> = k.difference(&en).collect();
                assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
                assert!(extra.is_empty(), "{lang:?} has keys English lacks: {extra:?}");
            }
        }
    }

    #[test]
    fn the_app_files_carry_no_staff_texts() {
        for (lang, src) in APP_SOURCES {
            let staff: Vec<_> =
                keys(src).into_iter().filter(|k| k.starts_with("console-") || k.starts_with("stats-")).collect();
            assert!(staff.is_empty(), "{lang:?}: {staff:?} belong in locales/staff");
        }
    }

    #[test]
    fn every_message_formats_without_errors_and_is_not_empty() {
        for (lang, src) in sources() {
            let t = Texts::get(lang);
            for key in keys(src) {
                let msg = t.bundle.get_message(&key).unwrap();
                let Some(p) = msg.value() else { continue };
                let mut args = FluentArgs::new();
                for name in ["n", "number", "name", "percent", "time", "reason", "count", "distance", "status", "path"]
                {
                    args.set(name, FluentValue::from(2));
                }
                let mut errors = vec![];
                let text = t.bundle.format_pattern(p, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{lang:?} {key}: {errors:?}");
                assert!(!text.trim().is_empty(), "{lang:?} {key} is empty");
            }
        }
    }

    #[test]
    fn plurals_follow_each_language() {
        let days = |lang, n| Texts::get(lang).t_args("days-left", &[("n", Arg::Num(n))]);
        assert_eq!(days(Lang::Ru, 1), "остался 1 день");
        assert_eq!(days(Lang::Ru, 3), "осталось 3 дня");
        assert_eq!(days(Lang::Ru, 5), "осталось 5 дней");
        assert_eq!(days(Lang::Ru, 21), "остался 21 день");
        assert_eq!(days(Lang::En, 1), "1 day left");
        assert_eq!(days(Lang::En, 2), "2 days left");
        assert_eq!(days(Lang::Kk, 5), "5 күн қалды");
    }

    #[test]
    fn plain_messages_are_static_and_others_are_not() {
        let en = Texts::get(Lang::En);
        assert_eq!(en.text("status-done"), Some("Answered"));
        assert_eq!(en.text("no-such-key"), None);
        assert_eq!(en.text("days-left"), None, "needs an argument");
        assert_eq!(en.t("no-such-key"), "no-such-key");
    }

    #[test]
    fn keys_are_found_in_source_text() {
        let src = r#"l.t("console-nav-queue"); f("<a href=\"x\">"); i.t("status-done"); x("console-"); "Console-x"; "console-a b""#;
        let found = keys_named_in(src, &["console-", "status-"]);
        assert_eq!(found.into_iter().collect::<Vec<_>>(), ["console-nav-queue", "status-done"]);
    }
}
