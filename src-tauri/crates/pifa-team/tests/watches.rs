//! Team watches on a real PostgreSQL (`.dev/with-postgres`): claims never overlap, an expired
//! lease is claimed again, a stale finish stores nothing, alerts are never repeated.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use pifa_core::store::{AlertKind, RaisedAlert};
use pifa_core::team::TeamCode;
use pifa_core::watch::rules::{Told, WatchRules};
use pifa_core::{Money, OfferId};
use pifa_team::testing::TestDatabase;
use pifa_team::{CheckOutcome, Finished, Member, TeamDb};

const HOUR: Duration = Duration::from_secs(3600);

async fn team(db: &TestDatabase) -> (TeamDb, Member, TeamCode) {
    let team = TeamDb::connect(&db.address, Some(&db.password))
        .await
        .unwrap();
    let me = Member::new("林采购", "desk-1");
    let code = TeamCode::generate();
    team.create_team("义乌采购组", &code, &me).await.unwrap();
    (team, me, code)
}

fn offer(i: u32) -> OfferId {
    OfferId::parse(&format!("{}", 600_000_000_000u64 + u64::from(i))).unwrap()
}

async fn watch(team: &TeamDb, me: &Member, offers: impl IntoIterator<Item = OfferId>) {
    for id in offers {
        team.set_watch(me, &id, 100, &WatchRules::default(), None, |_| Told {
            price: Some(Money::from_fen(1000)),
            ..Told::default()
        })
        .await
        .unwrap();
    }
}

fn drop_alert(offer: &OfferId) -> RaisedAlert {
    RaisedAlert {
        kind: AlertKind::PriceDrop,
        old_price: Some(Money::from_fen(1000)),
        new_price: Some(Money::from_fen(900)),
        event_key: String::new(),
        message: format!("offer {offer}: the unit price fell"),
        details: r#"{"changeBp":-1000}"#.into(),
    }
}

fn observed(offer: &OfferId) -> CheckOutcome {
    CheckOutcome::Observed {
        observed_at: Utc::now(),
        told: Told {
            price: Some(Money::from_fen(900)),
            ..Told::default()
        },
        snooze_until_target: false,
        title: Some("保温杯".into()),
        alerts: vec![drop_alert(offer)],
    }
}

#[tokio::test]
async fn concurrent_claims_never_overlap_and_cover_every_due_watch() {
    let db = TestDatabase::create("claims_never_overlap").await;
    let (first, lin, _) = team(&db).await;
    watch(&first, &lin, (0..120).map(offer)).await;
    drop(first);
    let workers: Vec<_> = (0..10)
        .map(|i| {
            let (address, password) = (db.address.clone(), db.password.clone());
            tokio::spawn(async move {
                let team = TeamDb::connect(&address, Some(&password)).await.unwrap();
                let me = Member::new(&format!("worker {i}"), "host");
                let mut claimed = Vec::new();
                loop {
                    let claims = team.claim_due(&me, 7, HOUR, false).await.unwrap();
                    if claims.is_empty() {
                        break;
                    }
                    for claim in &claims {
                        claimed.push(claim.offer_id.clone());
                        let outcome = observed(&claim.offer_id);
                        let done = team.finish_check(&me, claim, &outcome, HOUR).await.unwrap();
                        assert!(matches!(done, Finished::Done(ref a) if a.len() == 1));
                    }
                }
                claimed
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(
        all.len(),
        120,
        "each due watch is checked once in the round"
    );
    assert_eq!(distinct.len(), 120);

    let team = TeamDb::connect(&db.address, Some(&db.password))
        .await
        .unwrap();
    assert!(
        team.claim_due(&lin, 10, HOUR, false)
            .await
            .unwrap()
            .is_empty(),
        "nothing is due"
    );
    assert_eq!(team.alerts(&lin.member_id, false).await.unwrap().len(), 120);
    let watches = team.watches().await.unwrap();
    assert!(watches
        .iter()
        .all(|w| w.told.price == Some(Money::from_fen(900))));
    assert!(watches
        .iter()
        .all(|w| w.next_check_at > Utc::now() + chrono::Duration::minutes(50)));
}

#[tokio::test]
async fn an_expired_lease_is_claimed_again_and_its_stale_finish_is_refused() {
    let db = TestDatabase::create("expired_lease").await;
    let (team, lin, code) = team(&db).await;
    let other = TeamDb::connect(&db.address, Some(&db.password))
        .await
        .unwrap();
    let wang = Member::new("王经理", "desk-2");
    other.join_team(&code, &wang).await.unwrap();
    let id = offer(1);
    watch(&team, &lin, [id.clone()]).await;

    let lease = Duration::from_millis(800);
    let stale = team.claim_due(&lin, 10, lease, false).await.unwrap();
    assert_eq!(stale.len(), 1);
    // Held: nobody else gets it.
    assert!(other
        .claim_due(&wang, 10, HOUR, false)
        .await
        .unwrap()
        .is_empty());
    tokio::time::sleep(lease + Duration::from_millis(300)).await;
    // Ran out: another desktop claims it, even though the first never said anything.
    let fresh = other.claim_due(&wang, 10, HOUR, false).await.unwrap();
    assert_eq!(fresh.len(), 1);

    // The first desktop comes back: what it found is refused, whole.
    let late = team
        .finish_check(&lin, &stale[0], &observed(&id), HOUR)
        .await
        .unwrap();
    assert_eq!(late, Finished::Stale);
    assert!(team.alerts(&lin.member_id, false).await.unwrap().is_empty());
    let done = other
        .finish_check(&wang, &fresh[0], &observed(&id), Duration::ZERO)
        .await
        .unwrap();
    let Finished::Done(alerts) = done else {
        panic!("the holder finishes")
    };
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].raised_by.as_deref(), Some("王经理"));
    let again = team.claim_due(&lin, 10, lease, false).await.unwrap();
    assert_eq!(again.len(), 1, "due again at once with a zero interval");
    // Its own lease run out, with nobody else claiming: refused all the same.
    tokio::time::sleep(lease + Duration::from_millis(300)).await;
    assert_eq!(
        team.finish_check(&lin, &again[0], &observed(&id), HOUR)
            .await
            .unwrap(),
        Finished::Stale
    );

    let watch = team.watch(&id).await.unwrap().unwrap();
    assert_eq!(watch.last_checked_by.as_deref(), Some("王经理"));
    assert_eq!(watch.alerts_today, 1);
}

#[tokio::test]
async fn a_check_done_twice_tells_once_and_an_edit_drops_a_check_in_progress() {
    let db = TestDatabase::create("alerts_unique").await;
    let (team, lin, _) = team(&db).await;
    let id = offer(2);
    watch(&team, &lin, [id.clone()]).await;

    let claim = team
        .claim_due(&lin, 1, HOUR, false)
        .await
        .unwrap()
        .remove(0);
    // The same event twice in one check (a retried statement, a doubled list) is one alert.
    let mut outcome = observed(&id);
    if let CheckOutcome::Observed { alerts, .. } = &mut outcome {
        alerts.push(drop_alert(&id));
    }
    let Finished::Done(alerts) = team
        .finish_check(&lin, &claim, &outcome, Duration::ZERO)
        .await
        .unwrap()
    else {
        panic!("finished")
    };
    assert_eq!(alerts.len(), 1);
    // Finishing the same claim again: its lease is gone.
    assert_eq!(
        team.finish_check(&lin, &claim, &outcome, Duration::ZERO)
            .await
            .unwrap(),
        Finished::Stale
    );
    // The next check is a new check: its alert is new.
    let next = team
        .claim_due(&lin, 1, HOUR, false)
        .await
        .unwrap()
        .remove(0);
    // A member changes the watch meanwhile: the check in progress is dropped, the watch is
    // due again at once.
    team.set_watch(&lin, &id, 200, &WatchRules::default(), None, |earlier| {
        assert_eq!(earlier.unwrap().qty, 100);
        Told::default()
    })
    .await
    .unwrap();
    assert_eq!(
        team.finish_check(&lin, &next, &observed(&id), HOUR)
            .await
            .unwrap(),
        Finished::Stale
    );
    let after_edit = team.claim_due(&lin, 1, HOUR, false).await.unwrap();
    assert_eq!(after_edit.len(), 1);
    assert_eq!(after_edit[0].target_qty, 200);
    assert!(matches!(
        team.finish_check(&lin, &after_edit[0], &observed(&id), HOUR).await.unwrap(),
        Finished::Done(ref a) if a.len() == 1
    ));
    assert_eq!(team.alerts(&lin.member_id, false).await.unwrap().len(), 2);

    // Seen by one member, not by the other; removing the watch keeps its alerts.
    let wang = Member::new("王经理", "desk-2");
    assert_eq!(team.mark_seen(&lin.member_id, None).await.unwrap(), 2);
    assert_eq!(team.mark_seen(&lin.member_id, None).await.unwrap(), 0);
    assert!(team.alerts(&lin.member_id, true).await.unwrap().is_empty());
    let for_wang = team.alerts(&wang.member_id, true).await.unwrap();
    assert_eq!(for_wang.len(), 2);
    assert!(!for_wang[0].seen);
    assert_eq!(for_wang[0].seen_by, ["林采购"]);
    assert_eq!(for_wang[0].title.as_deref(), Some("保温杯"));
    assert_eq!(for_wang[0].change_bp, Some(-1000));
    assert!(team.remove_watch(&id).await.unwrap());
    assert!(!team.remove_watch(&id).await.unwrap());
    assert_eq!(team.alerts(&wang.member_id, false).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_failed_fetch_is_noted_and_released_claims_are_due_at_once() {
    let db = TestDatabase::create("failed_and_released").await;
    let (team, lin, _) = team(&db).await;
    let team = Arc::new(team);
    watch(&team, &lin, [offer(3), offer(4)]).await;
    let claims = team.claim_due(&lin, 10, HOUR, false).await.unwrap();
    assert_eq!(claims.len(), 2);
    let failed = CheckOutcome::Failed {
        code: "offer.delisted".into(),
        message: "gone".into(),
    };
    team.finish_check(&lin, &claims[0], &failed, HOUR)
        .await
        .unwrap();
    team.release(&lin, &claims[1..]).await.unwrap();
    let again = team.claim_due(&lin, 10, HOUR, false).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].offer_id, claims[1].offer_id);
    let noted = team.watch(&claims[0].offer_id).await.unwrap().unwrap();
    assert_eq!(noted.last_error_code.as_deref(), Some("offer.delisted"));
    assert!(noted.last_checked_at.is_some());
    // `all` takes what is not due too, but never what is held.
    assert!(team.claim_due(&lin, 10, HOUR, true).await.unwrap().len() == 1);
}

/// One check of the watch on `id` by `me`, due or not.
async fn check_now(team: &TeamDb, me: &Member, id: &OfferId) {
    let claim = team.claim_due(me, 1, HOUR, true).await.unwrap().remove(0);
    team.finish_check(me, &claim, &observed(id), HOUR)
        .await
        .unwrap();
}

#[tokio::test]
async fn each_member_is_notified_of_each_alert_once_from_when_they_joined() {
    let db = TestDatabase::create("notified_once").await;
    let (team, lin, code) = team(&db).await;
    let id = offer(5);
    watch(&team, &lin, [id.clone()]).await;
    check_now(&team, &lin, &id).await;
    let told = team.take_unnotified(&lin.member_id).await.unwrap();
    assert_eq!(told.len(), 1);
    assert!(team
        .take_unnotified(&lin.member_id)
        .await
        .unwrap()
        .is_empty());

    // A member who joins later hears only of what is raised from then on, by anyone.
    let wang = Member::new("王经理", "desk-2");
    team.join_team(&code, &wang).await.unwrap();
    assert!(team
        .take_unnotified(&wang.member_id)
        .await
        .unwrap()
        .is_empty());
    check_now(&team, &wang, &id).await;
    for member in [&lin, &wang] {
        let told = team.take_unnotified(&member.member_id).await.unwrap();
        assert_eq!(told.len(), 1);
        assert_eq!(told[0].raised_by.as_deref(), Some("王经理"));
        assert!(team
            .take_unnotified(&member.member_id)
            .await
            .unwrap()
            .is_empty());
    }
}
