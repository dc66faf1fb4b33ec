//! The screens' words, from the one set of texts every front end shares (`qala-texts`: Fluent
//! files with CLDR plural rules, compiled in, so the app speaks before it has ever been online).

use qala_protocol::Lang;
pub use qala_texts::Arg;
use qala_texts::Texts;

/// One language's strings. Cheap to clone.
#[derive(Clone)]
pub struct I18n {
    pub lang: Lang,
    texts: &'static Texts,
}

impl PartialEq for I18n {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
    }
}

impl I18n {
    pub fn new(lang: Lang) -> I18n {
        I18n { lang, texts: Texts::get(lang) }
    }

    /// The message `key`, or the key itself when missing (a test keeps that from shipping).
    pub fn t(&self, key: &str) -> String {
        self.texts.t(key)
    }

    /// The message `key` with arguments; numbers select plural forms.
    pub fn t_args(&self, key: &str, args: &[(&str, Arg)]) -> String {
        self.texts.t_args(key, args)
    }
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

    /// Every key the screens ask for (calls of `t` and `t_args` with a literal key) exists.
    #[test]
    fn every_key_used_in_the_code_exists() {
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
        let missing: Vec<_> = used.iter().filter(|k| !Texts::get(Lang::En).has(k)).collect();
        assert!(missing.is_empty(), "keys used but not defined: {missing:?}");
    }

    #[test]
    fn language_choice_falls_back_to_russian() {
        assert_eq!(pick(None, "kk"), Lang::Kk);
        assert_eq!(pick(None, "de"), Lang::Ru);
        assert_eq!(pick(Some(Lang::En), "kk"), Lang::En);
    }
}
