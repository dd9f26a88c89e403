use std::cell::RefCell;

use super::*;

/// A key kept in memory, standing in for the keyring.
#[derive(Default)]
struct Memory(RefCell<Option<ContactsKey>>);

impl KeySource for Memory {
    fn load(&self) -> Result<Option<ContactsKey>> {
        Ok(self.0.borrow().clone())
    }

    fn save(&self, key: &ContactsKey) -> Result<()> {
        *self.0.borrow_mut() = Some(key.clone());
        Ok(())
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("pifa.db")).unwrap();
    (dir, store)
}

fn sample() -> Contacts {
    Contacts {
        person: Some("王秀英经理".into()),
        phone: Some("+86 138-5550-7219".into()),
        wangwang: Some("yiwu-bead-trader-8841".into()),
        wechat: Some("wx_zebra_quartz_5521".into()),
        email: Some("sales.mulberry77@example.cn".into()),
        note: Some("样品质量很好，谈好单价 ¥3.15 起 MOQ-negotiated-qz".into()),
    }
}

fn plaintexts(contacts: &Contacts) -> Vec<String> {
    contacts
        .fields()
        .into_iter()
        .filter_map(|(_, v)| v.cloned())
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn contacts_round_trip_and_no_plaintext_reaches_the_database_files() {
    let (dir, mut store) = store();
    let keys = Memory::default();
    let contacts = sample();
    write(&mut store, &keys, "login:yiwu-beads", &contacts).unwrap();
    write(
        &mut store,
        &keys,
        "login:other",
        &Contacts {
            wechat: Some("wx_second_supplier_93".into()),
            ..Contacts::default()
        },
    )
    .unwrap();
    assert_eq!(read(&store, &keys, "login:yiwu-beads").unwrap(), contacts);

    let mut bytes = Vec::new();
    for file in ["pifa.db", "pifa.db-wal"] {
        if let Ok(content) = std::fs::read(dir.path().join(file)) {
            bytes.extend(content);
        }
    }
    // The test would be empty if nothing reached the files.
    assert!(contains(&bytes, b"login:yiwu-beads"));
    for text in plaintexts(&contacts)
        .into_iter()
        .chain(["wx_second_supplier_93".to_owned(), "王秀英".to_owned()])
    {
        assert!(
            !contains(&bytes, text.as_bytes()),
            "{text:?} is in the database files"
        );
    }
}

#[test]
fn each_value_has_its_own_nonce() {
    let key = ContactsKey::generate().unwrap();
    let a = key.seal("ctx", "same").unwrap();
    let b = key.seal("ctx", "same").unwrap();
    assert_ne!(a[..NONCE_BYTES], b[..NONCE_BYTES]);
    assert_ne!(a, b);
    assert_eq!(key.open("ctx", &a).as_deref(), Some("same"));
}

#[test]
fn a_wrong_key_is_a_clear_locked_error_not_garbage() {
    let (_dir, mut store) = store();
    let keys = Memory::default();
    write(&mut store, &keys, "login:a", &sample()).unwrap();

    let wrong = Memory(RefCell::new(Some(ContactsKey::generate().unwrap())));
    let error = read(&store, &wrong, "login:a").unwrap_err();
    assert_eq!(error.code(), "contacts.locked");
    let message = error.to_string();
    for text in plaintexts(&sample()) {
        assert!(!message.contains(&text), "{message}");
    }
    // Nor can it write beside the real key's values.
    let error = write(&mut store, &wrong, "login:b", &sample()).unwrap_err();
    assert_eq!(error.code(), "contacts.locked");
}

#[test]
fn a_lost_key_locks_the_contacts_instead_of_making_a_new_one() {
    let (_dir, mut store) = store();
    let keys = Memory::default();
    write(&mut store, &keys, "login:a", &sample()).unwrap();
    let lost = Memory::default();
    assert_eq!(
        read(&store, &lost, "login:a").unwrap_err().code(),
        "contacts.locked"
    );
    assert_eq!(
        write(&mut store, &lost, "login:a", &sample())
            .unwrap_err()
            .code(),
        "contacts.locked"
    );
    assert!(lost.0.borrow().is_none());
    // A supplier without contacts needs no key at all.
    assert_eq!(
        read(&store, &lost, "login:none").unwrap(),
        Contacts::default()
    );
}

#[test]
fn values_swapped_between_suppliers_or_fields_do_not_open() {
    let (dir, mut store) = store();
    let keys = Memory::default();
    write(&mut store, &keys, "login:a", &sample()).unwrap();
    write(
        &mut store,
        &keys,
        "login:b",
        &Contacts {
            phone: Some("+86 139-0000-1111".into()),
            wechat: Some("wx_b".into()),
            ..Contacts::default()
        },
    )
    .unwrap();

    let raw = rusqlite::Connection::open(dir.path().join("pifa.db")).unwrap();
    let sealed = |supplier: &str, field: &str| -> Vec<u8> {
        raw.query_row(
            "SELECT sealed FROM supplier_contacts WHERE supplier_key = ?1 AND field = ?2",
            [supplier, field],
            |r| r.get(0),
        )
        .unwrap()
    };
    let (a_phone, b_phone) = (sealed("login:a", "phone"), sealed("login:b", "phone"));
    let b_wechat = sealed("login:b", "wechat");
    let set = |supplier: &str, field: &str, value: &[u8]| {
        raw.execute(
            "UPDATE supplier_contacts SET sealed = ?3 WHERE supplier_key = ?1 AND field = ?2",
            rusqlite::params![supplier, field, value],
        )
        .unwrap();
    };
    // A's phone under B: the right key, the wrong supplier.
    set("login:b", "phone", &a_phone);
    assert_eq!(
        read(&store, &keys, "login:b").unwrap_err().code(),
        "contacts.damaged"
    );
    // B's WeChat as B's phone: the right supplier, the wrong field.
    set("login:b", "phone", &b_wechat);
    assert_eq!(
        read(&store, &keys, "login:b").unwrap_err().code(),
        "contacts.damaged"
    );
    set("login:b", "phone", &b_phone);
    assert_eq!(
        read(&store, &keys, "login:b").unwrap().phone.as_deref(),
        Some("+86 139-0000-1111")
    );
    // One flipped bit.
    let mut flipped = b_phone.clone();
    *flipped.last_mut().unwrap() ^= 1;
    set("login:b", "phone", &flipped);
    assert_eq!(
        read(&store, &keys, "login:b").unwrap_err().code(),
        "contacts.damaged"
    );
}

#[test]
fn blank_fields_are_not_stored_and_updates_keep_what_was_not_given() {
    let (_dir, mut store) = store();
    let keys = Memory::default();
    write(
        &mut store,
        &keys,
        "login:a",
        &Contacts {
            phone: Some("  123  ".into()),
            email: Some("   ".into()),
            ..Contacts::default()
        },
    )
    .unwrap();
    assert_eq!(store.sealed_contacts("login:a").unwrap().len(), 1);
    let now = read(&store, &keys, "login:a").unwrap();
    assert_eq!(now.phone.as_deref(), Some("123"));
    let next = now.updated_with(Contacts {
        wechat: Some("wx".into()),
        ..Contacts::default()
    });
    assert_eq!(next.phone.as_deref(), Some("123"));
    assert_eq!(next.wechat.as_deref(), Some("wx"));
    // Clearing every field removes the rows.
    write(&mut store, &keys, "login:a", &Contacts::default()).unwrap();
    assert!(store.sealed_contacts("login:a").unwrap().is_empty());
}

#[test]
fn an_overlong_field_is_refused() {
    let (_dir, mut store) = store();
    let error = write(
        &mut store,
        &Memory::default(),
        "login:a",
        &Contacts {
            note: Some("x".repeat(MAX_FIELD_CHARS + 1)),
            ..Contacts::default()
        },
    )
    .unwrap_err();
    assert_eq!(error.code(), "contacts.too_long");
}

#[test]
fn the_key_never_shows_in_debug_output() {
    let key = ContactsKey::from_bytes([0xAB; 32]);
    assert!(!format!("{key:?}").to_lowercase().contains("ab"));
}
