"""Runs Alibaba's own Python SDK (package `aop`) against Pifa's gateway double, unchanged but for
plain http on loopback (need_https -> False). The SDK is not part of Pifa and no registry holds a
working copy (PyPI's alibaba-aop 1.0.0 lacks aop/api/base.py); a public copy sits in the
repository ruandejun/storagon, folder aop/. Needs `requests`.

    python3 .dev/aop-sdk-check.py DIR_HOLDING_aop [PATH_TO_pifa-gateway]
"""
import http.client
import json
import subprocess
import sys
import urllib.parse

if len(sys.argv) < 2:
    sys.exit(__doc__)
sys.path.insert(0, sys.argv[1])
GATEWAY = sys.argv[2] if len(sys.argv) > 2 else "target/debug/pifa-gateway"
import aop
from aop.api.base import BaseApi
from aop.api.common.AuthGetTokenRequest import AuthGetTokenRequest
from aop.api.common.GetServerTimestampRequest import GetServerTimestampRequest

gw = subprocess.Popen([GATEWAY, "--addr", "127.0.0.1:0", "--offers", "200"],
                      stdout=subprocess.PIPE, text=True)
base = gw.stdout.readline().strip()
host = urllib.parse.urlparse(base).netloc
print("gateway", base)
aop.set_default_server(host)
aop.set_default_appinfo(1688001, "pifa-demo-secret")
try:
    ts = GetServerTimestampRequest().get_response()
    print("currentTimeMillis:", ts, type(ts).__name__)

    # A user authorizing: /oauth/authorize redirects with a one-time code.
    redirect = "http://127.0.0.1:9/callback"
    conn = http.client.HTTPConnection(host)
    conn.request("GET", "/oauth/authorize?" + urllib.parse.urlencode(
        {"client_id": "1688001", "site": "1688", "redirect_uri": redirect, "state": "s"}))
    location = conn.getresponse().getheader("Location")
    code = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)["code"][0]

    class PlainGetToken(AuthGetTokenRequest):
        def need_https(self):
            return False
    token = PlainGetToken().get_response(grant_type="authorization_code", need_refresh_token="true",
                                         client_id="1688001", client_secret="pifa-demo-secret",
                                         redirect_uri=redirect, code=code)
    print("getToken keys:", sorted(token))

    class QueryProductDetail(BaseApi):
        def __init__(self):
            BaseApi.__init__(self)
            self.offerDetailParam = None
        def get_api_uri(self): return "1/com.alibaba.fenxiao.crossborder/product.search.queryProductDetail"
        def get_required_params(self): return ["offerDetailParam"]
        def get_multipart_params(self): return []
        def need_sign(self): return True
        def need_timestamp(self): return True
        def need_auth(self): return True
        def need_https(self): return False
        def is_inner_api(self): return False

    req = QueryProductDetail()
    req.offerDetailParam = json.dumps({"offerId": "668800000001", "country": "en"})
    answer = req.get_response(access_token=token["access_token"])
    print("queryProductDetail subject:", answer["result"]["result"]["subject"])

    aop.set_default_appinfo(1688001, "wrong-secret")
    bad = QueryProductDetail(); bad.offerDetailParam = req.offerDetailParam
    try:
        bad.get_response(access_token=token["access_token"])
        sys.exit("FAILED: a wrong secret was accepted")
    except aop.ApiError as e:
        assert e.error_code == "gw.SignatureInvalid", e
        print("wrong secret ->", e)
    print("Alibaba's SDK works against the double.")
finally:
    gw.terminate()
