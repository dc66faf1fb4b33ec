//! Strings in three languages from Fluent files (`locales/{kk,ru,en}.ftl`), with CLDR plural rules
//! so that "1 день / 2 дня / 5 дней" and "1 күн / 5 күн" come out right. The files are compiled in:
//! the app must speak before it has ever been online.

use std::rc::Rc;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use qala_protocol::Lang;

pub const SOURCES: [(Lang, &str); 3] = [
    (Lang::Kk, include_str!("../locales/kk.ftl")),
    (Lang::Ru, include_str!("../locales/ru.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
];

/// One language's strings. Cheap to clone (shared).
#[derive(Clone)]
pub struct I18n {
    pub lang: Lang,
    bundle: Rc<FluentBundle<FluentResource>>,
}

impl PartialEq for I18n {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
    }
}

impl I18n {
    pub fn new(lang: Lang) -> I18n {
        let src = SOURCES.iter().find(|(l, _)| *l == lang).map(|(_, s)| *s).unwrap_or(SOURCES[1].1);
        let id: unic_langid::LanguageIdentifier = lang.code().parse().expect("language codes are valid");
        let mut bundle = FluentBundle::new(vec![id]);
        // No Unicode isolation marks around arguments: they show as boxes in some webview fonts.
        bundle.set_use_isolating(false);
        let res = FluentResource::try_new(src.to_string()).unwrap_or_else(|(res, _)| res);
        let _ = bundle.add_resource(res);
        I18n { lang, bundle: Rc::new(bundle) }
    }

    /// The message `key`, or the key itself when missing (a test keeps that from shipping).
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

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut errors = vec![];
        self.bundle.format_pattern(pattern, args, &mut errors).into_owned()
    }
}

/// An argument to a message.
pub enum Arg {
    Num(i64),
    Str(String),
}

/// The language to start in: the resident's choice, else the system's if we speak it, else Russian
/// (the language every resident of the city reads).
pub fn pick(chosen: Option<Lang>, system: &str) -> Lang {
    chosen.unwrap_or(match system {
        "kk" => Lang::Kk,
        "en" => Lang::En,
        _ => Lang::Ru,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(src: &str) -> BTreeSet<String> {
        let res = FluentResource::try_new(src.to_string()).expect("the file parses");
        res.entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_language_has_every_key() {
        let en = keys(SOURCES[2].1);
        assert!(en.len() > 50, "the English file looks truncated");
        for (lang, src) in SOURCES {
            let k = keys(src);
            let missing: Vec<_> = en.difference(&k).collect();
            let extra: Vec<_> = k.difference(&en).collect();
            assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
            assert!(extra.is_empty(), "{lang:?} has keys English lacks: {extra:?}");
        }
    }

    /// Every key the screens ask for (calls of `t` and `t_args` with a literal key) exists.
    #[test]
    fn every_key_used_in_the_code_exists() {
        let en = keys(SOURCES[2].1);
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut used = BTreeSet::new();
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(d).unwrap() {
                let p = entry.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    for pat in [".t(\"", ".t_args(\""] {
                        for (i, _) in text.match_indices(pat) {
                            let rest = &text[i + pat.len()..];
                            let key = &rest[..rest.find('"').unwrap()];
                            used.insert(key.to_string());
                        }
                    }
                }
            }
        }
        assert!(used.len() > 40, "found only {} keys: the scan is broken", used.len());
        let missing: Vec<_> = used.iter().filter(|k| !en.contains(*k)).collect();
        assert!(missing.is_empty(), "keys used but not defined: {missing:?}");
    }

    #[test]
    fn plurals_follow_each_language() {
        let ru = I18n::new(Lang::Ru);
        let days = |n| ru.t_args("days-left", &[("n", Arg::Num(n))]);
        assert_eq!(days(1), "остался 1 день");
        assert_eq!(days(3), "осталось 3 дня");
        assert_eq!(days(5), "осталось 5 дней");
        assert_eq!(days(21), "остался 21 день");
        let en = I18n::new(Lang::En);
        assert_eq!(en.t_args("days-left", &[("n", Arg::Num(1))]), "1 day left");
        assert_eq!(en.t_args("days-left", &[("n", Arg::Num(2))]), "2 days left");
        let kk = I18n::new(Lang::Kk);
        assert_eq!(kk.t_args("days-left", &[("n", Arg::Num(5))]), "5 күн қалды");
    }

    #[test]
    fn every_message_formats_without_errors() {
        for (lang, src) in SOURCES {
            let i = I18n::new(lang);
            for key in keys(src) {
                let msg = i.bundle.get_message(&key).unwrap();
                let Some(p) = msg.value() else { continue };
                let mut args = FluentArgs::new();
                for name in ["n", "number", "name", "percent", "time", "reason", "count", "distance"] {
                    args.set(name, FluentValue::from(2));
                }
                let mut errors = vec![];
                let _ = i.bundle.format_pattern(p, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{lang:?} {key}: {errors:?}");
            }
        }
    }

    #[test]
    fn language_choice_falls_back_to_russian() {
        assert_eq!(pick(None, "kk"), Lang::Kk);
        assert_eq!(pick(None, "de"), Lang::Ru);
        assert_eq!(pick(Some(Lang::En), "kk"), Lang::En);
    }
}
