//! Secrets in the real OS keyring: run by `.dev/test` inside a throwaway D-Bus session with an
//! unlocked gnome-keyring (`.dev/with-keyring`), which sets PIFA_TEST_KEYRING=1.

use chrono::{Duration, Utc};
use pifa_core::protocol::{AppCredentials, TokenSet};
use pifa_core::secrets;

#[test]
fn credentials_and_tokens_round_trip_through_the_os_keyring() {
    if std::env::var("PIFA_TEST_KEYRING").as_deref() != Ok("1") {
        eprintln!("skipped: needs the keyring session of .dev/with-keyring (CI always has it)");
        return;
    }
    // A service of its own, so no real entry is ever touched.
    std::env::set_var(
        "PIFA_KEYRING_SERVICE",
        format!("app.pifa.test-{}", std::process::id()),
    );
    secrets::check_available().unwrap();
    assert_eq!(secrets::load_credentials().unwrap(), None);
    assert_eq!(secrets::load_tokens().unwrap(), None);

    let credentials = AppCredentials {
        app_key: "1688001".into(),
        app_secret: "秘密-secret-值".into(),
    };
    secrets::save_credentials(&credentials).unwrap();
    let now = Utc::now();
    let tokens = TokenSet {
        access_token: "access-1".into(),
        access_expires_at: now + Duration::hours(10),
        refresh_token: Some("refresh-1".into()),
        refresh_expires_at: Some(now + Duration::days(180)),
    };
    secrets::save_tokens(&tokens).unwrap();
    assert_eq!(
        secrets::load_credentials().unwrap(),
        Some(credentials.clone())
    );
    let loaded = secrets::load_tokens().unwrap().unwrap();
    assert_eq!(loaded.refresh_token, tokens.refresh_token);
    assert_eq!(
        loaded.access_expires_at.timestamp_millis(),
        tokens.access_expires_at.timestamp_millis()
    );

    secrets::forget_tokens(false).unwrap();
    assert_eq!(secrets::load_tokens().unwrap(), None);
    assert_eq!(secrets::load_credentials().unwrap(), Some(credentials));
    secrets::forget_tokens(true).unwrap();
    assert_eq!(secrets::load_credentials().unwrap(), None);
    secrets::forget_tokens(true).unwrap();
}
