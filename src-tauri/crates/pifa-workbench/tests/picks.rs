//! 选品 as the app drives it: one pick at a time, cancelled from outside, and picks that carry
//! what a result row shows.

mod common;
use common::demo;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use pifa_core::pick::{PickRequest, Weights};
use pifa_workbench::PickProgress;

fn need(quantity: u32) -> PickRequest {
    PickRequest {
        keywords: "保温杯".into(),
        quantity,
        pages: 2,
        top: 20,
        ..PickRequest::default()
    }
}

/// What a future answers on its first poll, if it answers at once.
fn at_once<T>(future: impl Future<Output = T>) -> Option<T> {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => Some(value),
        Poll::Pending => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_pick_is_refused_while_one_runs_and_cancel_stops_it_unsaved() {
    let tmp = tempfile::tempdir().unwrap();
    let workbench = demo(tmp.path());
    assert!(!workbench.cancel_pick(), "nothing to cancel yet");
    let mut refused = None;
    let mut cancelled = None;
    let first = workbench
        .pick(
            &need(100),
            &Weights::default(),
            |progress| {
                if refused.is_none() {
                    // The first search page is in: this pick holds the slot.
                    assert!(matches!(progress, PickProgress::Searching { page: 1, .. }));
                    let second =
                        at_once(workbench.pick(&need(5), &Weights::default(), |_| {}, None));
                    refused = Some(second.expect("refused before any call"));
                    cancelled = Some(workbench.cancel_pick());
                }
            },
            None,
        )
        .await;
    assert_eq!(refused.unwrap().unwrap_err().code, "pick.running");
    assert_eq!(cancelled, Some(true));
    assert_eq!(first.unwrap_err().code, "pick.cancelled");
    assert!(workbench.pick_runs(10).unwrap().is_empty(), "nothing saved");
    assert!(!workbench.cancel_pick(), "the slot is free again");

    // Cancelled while the details come in, this time by the front end's own signal.
    let (ctrl_c, signal) = tokio::sync::watch::channel(false);
    let mut fetching = 0;
    let stopped = workbench
        .pick(
            &need(100),
            &Weights::default(),
            |progress| {
                if let PickProgress::Fetching { .. } = progress {
                    fetching += 1;
                    let _ = ctrl_c.send(true);
                }
            },
            Some(signal),
        )
        .await;
    assert_eq!(stopped.unwrap_err().code, "pick.cancelled");
    assert!(fetching >= 1);
    assert!(workbench.pick_runs(10).unwrap().is_empty());

    // The next pick runs to the end and is saved.
    let run = workbench
        .pick(&need(100), &Weights::default(), |_| {}, None)
        .await
        .unwrap();
    assert!(!run.outcome.picks.is_empty());
    assert_eq!(workbench.pick_runs(10).unwrap()[0].run_id, run.run_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn picks_carry_their_picture_supplier_and_minimum_order_also_when_reranked() {
    let tmp = tempfile::tempdir().unwrap();
    let workbench = demo(tmp.path());
    // One piece: every offer with a minimum order above 1 is raised to it.
    let run = workbench
        .pick(&need(1), &Weights::default(), |_| {}, None)
        .await
        .unwrap();
    let picks = &run.outcome.picks;
    assert!(picks.len() > 3, "{}", picks.len());
    assert!(picks.iter().any(|p| p.below_moq));
    for pick in picks {
        let stored = workbench.stored_offer(pick.offer_id.as_str()).unwrap();
        assert_eq!(pick.image, stored.images.first().cloned());
        assert!(pick.minimum_order >= 1);
        assert_eq!(pick.below_moq, pick.minimum_order > 1);
        assert_eq!(pick.order_qty, pick.minimum_order.max(1));
        let supplier = pick
            .supplier
            .as_ref()
            .expect("the detail names its supplier");
        let stored_supplier = stored.supplier.unwrap();
        assert_eq!(supplier.name, stored_supplier.name);
        assert_eq!(supplier.power_merchant, stored_supplier.power_merchant());
    }
    assert!(picks.iter().any(|p| p.image.is_some()));

    // Re-ranked from what is stored: the same rows, other order, nothing lost.
    let sales_only = Weights {
        price: 0.0,
        sales: 1.0,
        service: 0.0,
        repurchase: 0.0,
        pickup: 0.0,
        quality_refund: 0.0,
        tp_years: 0.0,
    };
    let reranked = workbench
        .rerank_pick(run.run_id, &sales_only)
        .await
        .unwrap();
    for pick in &reranked.picks {
        if let Some(before) = picks.iter().find(|p| p.offer_id == pick.offer_id) {
            assert_eq!(
                (
                    &pick.image,
                    &pick.supplier,
                    pick.minimum_order,
                    pick.below_moq
                ),
                (
                    &before.image,
                    &before.supplier,
                    before.minimum_order,
                    before.below_moq
                )
            );
        }
    }
    assert!(reranked
        .picks
        .windows(2)
        .all(|w| w[0].parts.sales >= w[1].parts.sales));
}
