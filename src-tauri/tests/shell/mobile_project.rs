//! The committed mobile projects carry what the phone needs: the Android permissions Qala asks for,
//! no cloud backup of the store that holds the session, a layout that makes room for the keyboard,
//! and the iOS usage strings that `tauri ios init` merges. Generated files are easy to regenerate
//! without them; this test notices.

use crate::read;

#[test]
fn the_android_manifest_asks_for_what_qala_uses() {
    let manifest = read("gen/android/app/src/main/AndroidManifest.xml");
    for permission in ["INTERNET", "CAMERA", "ACCESS_FINE_LOCATION", "ACCESS_COARSE_LOCATION", "POST_NOTIFICATIONS"] {
        let line = format!(r#"<uses-permission android:name="android.permission.{permission}" />"#);
        assert!(manifest.contains(&line), "the manifest lacks {permission}");
    }
    assert!(manifest.contains(r#"android:allowBackup="false""#), "the session must not go into cloud backups");
    assert!(manifest.contains(r#"android:dataExtractionRules="@xml/data_extraction_rules""#));
    let rules = read("gen/android/app/src/main/res/xml/data_extraction_rules.xml");
    for domain in ["root", "file", "database", "sharedpref", "external"] {
        let exclude = format!(r#"<exclude domain="{domain}" />"#);
        assert_eq!(rules.matches(&exclude).count(), 2, "{domain}: neither in backups nor in transfers");
    }
    assert!(manifest.contains(r#"android:windowSoftInputMode="adjustResize""#), "inputs stay above the keyboard");
    assert!(
        manifest.contains(r#"android:name="android.hardware.camera" android:required="false""#),
        "phones without a camera can still install the app"
    );
}

#[test]
fn the_ios_usage_strings_are_there_for_every_permission_asked() {
    let plist = read("Info.ios.plist");
    for key in ["NSCameraUsageDescription", "NSMicrophoneUsageDescription", "NSLocationWhenInUseUsageDescription"] {
        let at = plist.find(&format!("<key>{key}</key>")).unwrap_or_else(|| panic!("{key} is missing"));
        let rest = &plist[at..];
        let text = rest.split("<string>").nth(1).and_then(|s| s.split("</string>").next()).unwrap_or_default();
        assert!(text.len() > 20, "{key} needs a real explanation, got {text:?}");
    }
}
