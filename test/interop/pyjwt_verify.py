"""Independent check of a Portcullis Txn-Token with PyJWT (Debian python3-jwt), using only the published JWKS.

argv: jwks.json token.txt body.bin issuer audience method path
Prints one JSON line: {"ok": true, "claims": {...}} or {"ok": false, "error": "..."}.
"""
import base64
import hashlib
import json
import sys

import jwt


def main() -> dict:
    jwks_file, token_file, body_file, issuer, audience, method, path = sys.argv[1:8]
    with open(jwks_file) as f:
        jwks = json.load(f)
    with open(token_file) as f:
        token = f.read().strip()
    with open(body_file, "rb") as f:
        body = f.read()
    header = jwt.get_unverified_header(token)
    if header.get("typ") != "txntoken+jwt":
        return {"ok": False, "error": "typ"}
    matches = [k for k in jwks["keys"] if k.get("kid") == header.get("kid")]
    if len(matches) != 1:
        return {"ok": False, "error": "kid"}
    key = jwt.PyJWK(matches[0])
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[matches[0]["alg"]],
            audience=audience,
            issuer=issuer,
            options={"require": ["iss", "aud", "iat", "exp", "jti", "sub"]},
        )
    except jwt.PyJWTError as err:
        return {"ok": False, "error": type(err).__name__}
    digest = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
    req = claims.get("req", {})
    if req.get("digest") != digest:
        return {"ok": False, "error": "digest"}
    if req.get("method") != method or req.get("path") != path:
        return {"ok": False, "error": "binding"}
    if claims["exp"] - claims["iat"] > 300:
        return {"ok": False, "error": "lifetime"}
    return {"ok": True, "claims": claims, "alg": header["alg"]}


print(json.dumps(main()))
