//! The supplier contacts' key in the real OS keyring: run inside `.dev/with-keyring`, which
//! sets PIFA_TEST_KEYRING=1 (CI always has it).

use pifa_core::store::Store;
use pifa_core::suppliers::{self, Contacts, Keyring};

#[test]
fn the_contacts_key_is_made_once_and_kept_in_the_os_keyring() {
    if std::env::var("PIFA_TEST_KEYRING").as_deref() != Ok("1") {
        eprintln!("skipped: needs the keyring session of .dev/with-keyring (CI always has it)");
        return;
    }
    // A service of its own, so no real entry is ever touched.
    std::env::set_var(
        "PIFA_KEYRING_SERVICE",
        format!("app.pifa.contacts-test-{}", std::process::id()),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pifa.db");
    assert!(pifa_core::secrets::load_contacts_key().unwrap().is_none());
    let contacts = Contacts {
        wechat: Some("wx_keyring_合金_77".into()),
        ..Contacts::default()
    };
    {
        let mut store = Store::open(&path).unwrap();
        suppliers::write(&mut store, &Keyring, "login:k", &contacts).unwrap();
    }
    let key = pifa_core::secrets::load_contacts_key()
        .unwrap()
        .expect("a key was made");
    // Reopened (a restart): the same key opens them, and no second key was made.
    let mut store = Store::open(&path).unwrap();
    assert_eq!(
        suppliers::read(&store, &Keyring, "login:k").unwrap(),
        contacts
    );
    suppliers::write(&mut store, &Keyring, "login:k2", &contacts).unwrap();
    assert_eq!(pifa_core::secrets::load_contacts_key().unwrap(), Some(key));

    // Another key in the keyring: locked, with a clear code.
    pifa_core::secrets::save_contacts_key(&[7u8; 32]).unwrap();
    let error = suppliers::read(&store, &Keyring, "login:k").unwrap_err();
    assert_eq!(error.code(), "contacts.locked", "{error}");
    pifa_core::secrets::save_contacts_key(&key).unwrap();
    assert_eq!(
        suppliers::read(&store, &Keyring, "login:k").unwrap(),
        contacts
    );
}
