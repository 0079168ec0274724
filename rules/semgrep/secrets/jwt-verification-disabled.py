import jwt
from jose import jwt as jose_jwt

SECRET = "loaded-from-env"


def user_from_token(token: str) -> str:
    # ruleid: jwt-verification-disabled
    claims = jwt.decode(token, options={"verify_signature": False})
    return claims["sub"]


def user_from_token_with_key(token: str) -> str:
    # ruleid: jwt-verification-disabled
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_signature": False, "verify_exp": True})
    return claims["sub"]


def complete_unverified(token: str) -> dict:
    # ruleid: jwt-verification-disabled
    return jwt.decode_complete(token, options={"verify_signature": False})


def pyjwt_one(token: str) -> dict:
    # ruleid: jwt-verification-disabled
    return jwt.decode(token, verify=False)


def accepts_none(token: str) -> dict:
    # ruleid: jwt-verification-disabled
    return jwt.decode(token, SECRET, algorithms=["HS256", "none"])


def options_in_variable(token: str) -> dict:
    opts = {"verify_signature": False}
    # ruleid: jwt-verification-disabled
    return jwt.decode(token, options=opts)


def jose_unverified(token: str) -> dict:
    # ruleid: jwt-verification-disabled
    return jose_jwt.decode(token, SECRET, options={"verify_signature": False})


# Near misses: verified decoding, or other options turned off.


def verified(token: str) -> dict:
    # ok: jwt-verification-disabled
    return jwt.decode(token, SECRET, algorithms=["HS256"])


def verified_explicitly(token: str) -> dict:
    # ok: jwt-verification-disabled
    return jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_signature": True})


def no_audience(token: str) -> dict:
    # ok: jwt-verification-disabled
    return jwt.decode(token, SECRET, algorithms=["RS256"], options={"verify_aud": False})


def header_only(token: str) -> dict:
    # ok: jwt-verification-disabled
    return jwt.get_unverified_header(token)


def jose_verified(token: str) -> dict:
    # ok: jwt-verification-disabled
    return jose_jwt.decode(token, SECRET, algorithms=["HS256"])


def other_decode(data: bytes) -> str:
    # ok: jwt-verification-disabled
    return data.decode("utf-8", errors="strict")
