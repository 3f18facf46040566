"""PTB's networking on aiohttp: a ``BaseRequest``, PTB's documented extension point.

PTB's own ``HTTPXRequest`` cost the worker about 1.2 ms of CPU a send, and several ms with
many sends in flight: httpcore's pool re-checks every connection (a few system calls each)
whenever a request starts or ends. aiohttp takes about 0.3 ms. Timeouts become PTB's
``TimedOut`` and other failures its ``NetworkError``, as ``HTTPXRequest`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput  # the type of BaseRequest's own signature


class AiohttpRequest(BaseRequest):
    """``pool_size`` connections at most, every one kept alive between sends.

    The timeouts are PTB's, per phase: ``pool`` waiting for a free connection, ``connect``,
    ``read`` between bytes of the answer; ``write`` (``media_write`` for uploads) bounds
    the whole call together with the others, as aiohttp has no write timeout of its own.
    """

    def __init__(
        self,
        pool_size: int,
        *,
        timeout: float = 5.0,
        pool_timeout: float = 5.0,
        media_write_timeout: float = 20.0,
    ) -> None:
        self._pool_size = pool_size
        self._timeout, self._pool_timeout = timeout, pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # Idle connections go before a server's common 5 s keep-alive (uvicorn's) ends,
            # so none is reused just as the server closes it.
            connector = aiohttp.TCPConnector(limit=self._pool_size, keepalive_timeout=4.0)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        pool = _value(pool_timeout, self._pool_timeout)
        connect = _value(connect_timeout, self._timeout)
        read = _value(read_timeout, self._timeout)
        write = _value(write_timeout, self._media_write_timeout if files else self._timeout)
        phases = (pool, connect, write, read)
        timeout = aiohttp.ClientTimeout(
            total=None if None in phases else sum(p or 0.0 for p in phases),
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method,
                url,
                data=_body(request_data, files),
                headers={"User-Agent": self.USER_AGENT},
                timeout=timeout,
                proxy=self._proxy(url),
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's own timeouts are TimeoutErrors too
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc

    def _proxy(self, url: str) -> str | None:
        """HTTPS_PROXY / HTTP_PROXY unless NO_PROXY excludes the host, as PTB's default
        request honours them. Read once per host: aiohttp's trust_env reads the environment
        and ~/.netrc on every request, which doubled the CPU of a send."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            found = getproxies().get(parts.scheme)
            self._proxies[key] = None if not found or proxy_bypass(key[1]) else found
        return self._proxies[key]


def _value(given: ODVInput[float], default: float) -> float | None:
    """PTB's way to say "not given" is its DEFAULT_NONE marker."""
    return default if given is BaseRequest.DEFAULT_NONE else given  # type: ignore[return-value]


def _body(request_data: RequestData | None, files: dict[str, Any] | None) -> Any:
    """Form fields, as HTTPXRequest sends them; multipart when there are files."""
    if request_data is None:
        return None
    if not files:
        return request_data.json_parameters
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
