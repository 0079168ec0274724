import hashlib
import os

from django.contrib.auth.hashers import make_password


def store_password(user, password: str) -> None:
    # ruleid: weak-password-hash
    user.password_hash = hashlib.md5(password.encode()).hexdigest()


def store_sha256(user, password: str) -> None:
    salt = os.urandom(16)
    # ruleid: weak-password-hash
    user.password_hash = hashlib.sha256(salt + password.encode("utf-8")).hexdigest()


def check_login(user, form) -> bool:
    # ruleid: weak-password-hash
    digest = hashlib.sha1(form.password.encode()).hexdigest()
    return digest == user.password_hash


def incremental(pwd: bytes) -> str:
    h = hashlib.sha512()
    # ruleid: weak-password-hash
    h.update(pwd)
    return h.hexdigest()


def by_name(passwd: bytes) -> str:
    # ruleid: weak-password-hash
    return hashlib.new("md5", passwd).hexdigest()


def django_weak(raw_password: str) -> str:
    # ruleid: weak-password-hash
    return make_password(raw_password, None, "unsalted_md5")


def django_weak_keyword(raw_password: str) -> str:
    # ruleid: weak-password-hash
    return make_password(raw_password, hasher="sha1")


# Near misses: slow password hashes, or fast hashes of things that are not passwords.


def pbkdf2(password: str, salt: bytes) -> bytes:
    # ok: weak-password-hash
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)


def scrypt(password: str, salt: bytes) -> bytes:
    # ok: weak-password-hash
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)


def django_default(raw_password: str) -> str:
    # ok: weak-password-hash
    return make_password(raw_password)


def file_checksum(data: bytes) -> str:
    # ok: weak-password-hash
    return hashlib.sha256(data).hexdigest()


def store_reset_token(user, password_reset_token: str) -> None:
    # ok: weak-password-hash
    user.reset_digest = hashlib.sha256(password_reset_token.encode()).hexdigest()


def etag(passport_number: str) -> str:
    # ok: weak-password-hash
    return hashlib.md5(passport_number.encode()).hexdigest()
