#!/usr/bin/env python3
"""The product brief's design in plain Python: what `pifa-cli batch` and Pifa's cleaner are
measured against (issue 14). Standard library only; run by `cargo bench -p pifa-cli --bench
batch` (fetch) and `--bench store` (clean) on the same gateway double and the same answers.

The design, as the brief describes it:

- sign: each call carries `access_token` and `_aop_timestamp` and is signed as 1688 documents
  (`shared/docs/1688-protocol.md`): HMAC-SHA1 with the app secret over the URL path followed by
  the sorted `key+value` strings, in upper-case hex;
- fetch: `queryProductDetail` for each offer ID, at most `--concurrency` calls in flight. One
  asyncio event loop runs that many workers, each with its own keep-alive HTTP/1.1 connection
  over asyncio streams (the standard library has no async HTTP client; this one is minimal: a
  POST with a form body, a response read by Content-Length or chunked encoding);
- `json.loads` of each answer;
- a dict cleaner: the fields a buyer compares, read with `dict.get` — title, category, images,
  minimum order, price tiers and SKU prices as exact decimals, stock, supplier name and scores,
  ship-from place, status — with prices and quantities that do not parse left empty;
- one SQLite row per offer (WAL, synchronous=NORMAL as Pifa uses), upserted and committed per
  offer so each offer is whole or absent after a crash; tiers and SKUs as JSON columns.

Modes:

    brief_design.py clean FILE
        json.loads + the dict cleaner over every line of FILE (one answer per line), timed
        without reading the file; prints {"answers": N, "seconds": S}.
    brief_design.py fetch --gateway URL --app-key K --secret S --token T --ids FILE --db PATH
                          [--concurrency 16]
        fetches, cleans and stores every offer in FILE; prints {"stored": N, "failed": M,
        "seconds": S}, the time from the first call to the last commit.
"""

import argparse
import asyncio
import hashlib
import hmac
import json
import sqlite3
import sys
import time
import urllib.parse
from decimal import Decimal, InvalidOperation

DETAIL_API = "com.alibaba.fenxiao.crossborder/product.search.queryProductDetail"


# ---- the dict cleaner ----

def decimal(value):
    """A price as an exact decimal, or None."""
    if value is None or value == "":
        return None
    try:
        price = Decimal(str(value).strip().lstrip("¥￥"))
    except InvalidOperation:
        return None
    return price if price.is_finite() and price > 0 else None


def whole(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def score(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def images_of(*values):
    found = []
    for value in values:
        for url in value if isinstance(value, list) else [value]:
            if isinstance(url, str) and url and url not in found:
                found.append(url if "//" in url else "https://cbu01.alicdn.com/" + url)
    return found


def specs_of(attributes):
    specs = []
    for a in attributes or []:
        if isinstance(a, dict):
            name = a.get("attributeName") or a.get("attributeDisplayName")
            value = a.get("value") or a.get("attributeValue")
            if name and value:
                specs.append([name, value])
    return specs


def tiers_of(ranges):
    tiers = []
    for r in ranges or []:
        if isinstance(r, dict):
            qty, price = whole(r.get("startQuantity")), decimal(r.get("price"))
            if qty is not None and price is not None:
                tiers.append((max(qty, 1), price))
    return sorted(set(tiers))


def skus_of(items, attributes_key):
    skus = []
    for s in items or []:
        if isinstance(s, dict) and s.get("skuId") is not None:
            skus.append({
                "skuId": str(s["skuId"]),
                "specs": specs_of(s.get(attributes_key)),
                "price": decimal(s.get("price") or s.get("discountPrice")),
                "stock": whole(s.get("amountOnSale")),
            })
    return skus


def clean(answer):
    """One detail answer (queryProductDetail or simple.get) as a flat dict, or None."""
    if isinstance(answer.get("productInfo"), dict):
        p = answer["productInfo"]
        sale = p.get("saleInfo") or {}
        return {
            "offerId": str(p.get("productID")),
            "title": p.get("subject"),
            "category": p.get("categoryName"),
            "images": images_of((p.get("image") or {}).get("images")),
            "moq": whole(sale.get("minOrderQuantity")),
            "tiers": tiers_of(sale.get("priceRanges")),
            "skus": skus_of(p.get("skuInfos"), "attributes"),
            "supplier": p.get("companyName") or p.get("supplierLoginId"),
            "scores": {},
            "origin": (p.get("shippingInfo") or {}).get("sendGoodsAddressText"),
            "status": p.get("status"),
        }
    outer = answer.get("result") or {}
    d = outer.get("result") if isinstance(outer, dict) else None
    if not isinstance(d, dict) or str(outer.get("success")).lower() == "false":
        return None
    sale = d.get("productSaleInfo") or {}
    image = d.get("productImage") or {}
    seller = d.get("sellerDataInfo") or {}
    return {
        "offerId": str(d.get("offerId")),
        "title": d.get("subject"),
        "category": d.get("categoryName"),
        "images": images_of(image.get("images"), image.get("whiteImage")),
        "moq": whole(d.get("minOrderQuantity")),
        "tiers": tiers_of(sale.get("priceRangeList")),
        "skus": skus_of(d.get("productSkuInfos"), "skuAttributes"),
        "supplier": d.get("companyName"),
        "scores": {k: score(v) for k, v in seller.items() if k.endswith("Score")},
        "origin": (d.get("productShippingInfo") or {}).get("sendGoodsAddressText"),
        "status": d.get("status"),
    }


def run_clean(path):
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f.read().splitlines() if line.strip()]
    started = time.perf_counter()
    cleaned = sum(clean(json.loads(line)) is not None for line in lines)
    seconds = time.perf_counter() - started
    print(json.dumps({"answers": len(lines), "cleaned": cleaned, "seconds": seconds}))


# ---- fetching and storing ----

def sign(path, params, secret):
    message = path + "".join(sorted(k + v for k, v in params.items()))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha1).hexdigest().upper()


class Connection:
    """One keep-alive HTTP/1.1 connection: POST a form, read the whole answer."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def post(self, target, body):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = (
            f"POST {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Content-Type: application/x-www-form-urlencoded; charset=UTF-8\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            data = await self.reader.readexactly(int(headers["content-length"]))
        else:  # chunked
            parts = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            data = b"".join(parts)
        if headers.get("connection", "").lower() == "close":
            self.writer.close()
            self.writer = None
        return status, data


def open_db(path):
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS offers (offer_id TEXT PRIMARY KEY, title TEXT, category TEXT,"
        " images TEXT, moq INTEGER, tiers TEXT, skus TEXT, supplier TEXT, scores TEXT,"
        " origin TEXT, status TEXT, fetched_at REAL)"
    )
    return db


def store(db, offer):
    money = lambda d: None if d is None else str(d)  # noqa: E731
    db.execute(
        "INSERT OR REPLACE INTO offers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            offer["offerId"], offer["title"], offer["category"], json.dumps(offer["images"]),
            offer["moq"], json.dumps([[q, money(p)] for q, p in offer["tiers"]]),
            json.dumps([dict(s, price=money(s["price"])) for s in offer["skus"]],
                       ensure_ascii=False),
            offer["supplier"], json.dumps(offer["scores"]), offer["origin"], offer["status"],
            time.time(),
        ),
    )
    db.commit()


async def run_fetch(args):
    gateway = urllib.parse.urlsplit(args.gateway)
    path = f"param2/1/{DETAIL_API}/{args.app_key}"
    ids = [line.strip() for line in open(args.ids, encoding="utf-8") if line.strip()]
    db = open_db(args.db)
    queue = asyncio.Queue()
    for offer_id in ids:
        queue.put_nowait(offer_id)
    counts = {"stored": 0, "failed": 0}

    async def worker():
        connection = Connection(gateway.hostname, gateway.port)
        while not queue.empty():
            offer_id = queue.get_nowait()
            params = {
                "offerDetailParam": json.dumps({"offerId": offer_id, "country": "en"}),
                "access_token": args.token,
                "_aop_timestamp": str(int(time.time() * 1000)),
            }
            params["_aop_signature"] = sign(path, params, args.secret)
            body = urllib.parse.urlencode(params).encode()
            try:
                status, data = await connection.post("/openapi/" + path, body)
                offer = clean(json.loads(data)) if status == 200 else None
            except (OSError, ValueError, asyncio.IncompleteReadError):
                connection = Connection(gateway.hostname, gateway.port)
                offer = None
            if offer is None:
                counts["failed"] += 1
                continue
            store(db, offer)
            counts["stored"] += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    counts["seconds"] = time.perf_counter() - started
    print(json.dumps(counts))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    clean_mode = modes.add_parser("clean")
    clean_mode.add_argument("file")
    fetch_mode = modes.add_parser("fetch")
    for name in ("gateway", "app-key", "secret", "token", "ids", "db"):
        fetch_mode.add_argument("--" + name, required=True)
    fetch_mode.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    if args.mode == "clean":
        run_clean(args.file)
    else:
        asyncio.run(run_fetch(args))


if __name__ == "__main__":
    sys.exit(main())
