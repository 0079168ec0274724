import ssl

import aiohttp
import httpx
import requests
from requests import Session


def fetch_invoice(url: str) -> bytes:
    # ruleid: tls-verification-disabled
    resp = requests.get(url, timeout=5, verify=False)
    return resp.content


def post_event(url: str, payload: dict) -> None:
    # ruleid: tls-verification-disabled
    requests.post(url, json=payload, verify=False, timeout=5)


def legacy_client(url: str) -> None:
    # ruleid: tls-verification-disabled
    requests.api.request("GET", url, verify=False)


def make_client() -> httpx.Client:
    # ruleid: tls-verification-disabled
    return httpx.Client(base_url="https://billing.internal", verify=False)


async def make_async_client() -> httpx.AsyncClient:
    # ruleid: tls-verification-disabled
    return httpx.AsyncClient(verify=False)


def make_connector() -> aiohttp.TCPConnector:
    # ruleid: tls-verification-disabled
    return aiohttp.TCPConnector(ssl=False)


async def call_partner(session: aiohttp.ClientSession, url: str) -> str:
    # ruleid: tls-verification-disabled
    async with session.get(url, ssl=False) as resp:
        return await resp.text()


def unverified_context() -> ssl.SSLContext:
    # ruleid: tls-verification-disabled
    return ssl._create_unverified_context()


def patch_global_default() -> None:
    # ruleid: tls-verification-disabled
    ssl._create_default_https_context = ssl._create_unverified_context


def lax_context() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    # ruleid: tls-verification-disabled
    ctx.check_hostname = False
    # ruleid: tls-verification-disabled
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def session_without_verification(url: str) -> None:
    session = requests.Session()
    # ruleid: tls-verification-disabled
    session.verify = False
    session.get(url, timeout=5)


def imported_session(url: str) -> None:
    s = Session()
    # ruleid: tls-verification-disabled
    s.verify = False


# Near misses: verification on, or pointed at a private CA bundle.


def fetch_verified(url: str) -> bytes:
    # ok: tls-verification-disabled
    return requests.get(url, timeout=5).content


def fetch_private_ca(url: str) -> bytes:
    # ok: tls-verification-disabled
    return requests.get(url, timeout=5, verify="/etc/ssl/private-ca.pem").content


def explicit_true(url: str) -> httpx.Client:
    # ok: tls-verification-disabled
    return httpx.Client(verify=True)


def strict_context() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    # ok: tls-verification-disabled
    ctx.verify_mode = ssl.CERT_REQUIRED
    # ok: tls-verification-disabled
    ctx.check_hostname = True
    return ctx


def cache_client(redis_module, host: str):
    # ok: tls-verification-disabled
    return redis_module.Redis(host=host, ssl=False)


class Settings:
    def __init__(self) -> None:
        # ok: tls-verification-disabled
        self.verify = False
