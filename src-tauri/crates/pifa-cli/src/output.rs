//! Printing: JSON for scripts, aligned text for people.
//!
//! Everything goes through [`line`], never `println!`, which panics when the reader has gone
//! (`pifa-cli offers --json | head`).

use std::fmt;
use std::io::{self, Write};
use std::sync::OnceLock;

use pifa_core::offer::tiers::OrderSize;
use serde::Serialize;

/// Prints a line to standard output, like `println!` but through [`line`].
macro_rules! outln {
    () => {
        $crate::output::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}

/// What to do before the process ends by [`exit`] (the first one given).
static BEFORE_EXIT: OnceLock<Box<dyn Fn() + Send + Sync>> = OnceLock::new();

/// Has [`exit`] run `hook` first: `process::exit` skips destructors, so what they would save
/// (the gateway calls recorded since the last flush) is saved here.
pub fn before_exit(hook: impl Fn() + Send + Sync + 'static) {
    let _ = BEFORE_EXIT.set(Box::new(hook));
}

/// Ends the process with `code`, after the hook given to [`before_exit`].
pub fn exit(code: i32) -> ! {
    if let Some(hook) = BEFORE_EXIT.get() {
        hook();
    }
    std::process::exit(code)
}

/// Writes one line to standard output; a failure to write ends the process (see
/// [`quiet_on_broken_pipe`]), with status 2 and the reason on standard error unless the reader
/// simply left.
pub fn line(text: fmt::Arguments<'_>) {
    let mut out = io::stdout().lock();
    let written = writeln!(out, "{text}").and_then(|()| out.flush());
    if let Err(e) = quiet_on_broken_pipe(written) {
        eprintln!("pifa-cli: the output cannot be written: {e} [output.unwritable]");
        exit(2);
    }
}

/// `written`, unless the reader closed the pipe: then nobody is left to read the rest, so the
/// process ends at once and quietly, with status 0 as `head` and friends expect.
pub fn quiet_on_broken_pipe<T>(written: io::Result<T>) -> io::Result<T> {
    if matches!(&written, Err(e) if e.kind() == io::ErrorKind::BrokenPipe) {
        exit(0);
    }
    written
}

pub fn json<T: Serialize>(value: &T) {
    outln!(
        "{}",
        serde_json::to_string_pretty(value).expect("output serializes")
    );
}

/// The order a quantity takes: "500 → 600, sold in lots of 200", "20 → 50, the minimum order",
/// or just "500".
pub fn order_words(order: &OrderSize) -> String {
    if order.rounded_to_lot {
        format!(
            "{} → {}, sold in lots of {}",
            order.requested_qty,
            order.order_qty,
            order.lot_size.unwrap_or(1)
        )
    } else if order.raised_to_minimum {
        format!(
            "{} → {}, the minimum order",
            order.requested_qty, order.order_qty
        )
    } else {
        order.order_qty.to_string()
    }
}

/// Pads or cuts `text` to `width` terminal columns, counting CJK characters as two.
pub fn fit(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = if is_wide(c) { 2 } else { 1 };
        if used + w > width {
            if !out.is_empty() {
                out.pop();
                out.push('…');
            }
            return out;
        }
        out.push(c);
        used += w;
    }
    out.push_str(&" ".repeat(width - used));
    out
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
}

/// A progress bar for long runs (`template` names what is counted), hidden under `--json` so
/// scripts read clean JSON.
pub fn progress_bar(template: &str, as_json: bool) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(indicatif::ProgressStyle::with_template(template).expect("template is valid"));
    if as_json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar
}

/// Turns the first Ctrl-C into a stop request and a second one into an exit: calls in flight
/// can take most of a minute to give up, and a second Ctrl-C means now.
pub fn stop_on_ctrl_c() -> tokio::sync::watch::Receiver<bool> {
    let (cancel, cancelled) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = cancel.send(true);
            if tokio::signal::ctrl_c().await.is_ok() {
                exit(130);
            }
        }
    });
    cancelled
}
