# Type stubs of the eafsearch extension module (python/*.c).
import datetime
import os
from typing import (Any, Callable, Dict, IO, Iterator, List, Mapping, NamedTuple, Optional,
                    Sequence, Tuple, Union)

__version__: str

StrPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
DateLike = Union[datetime.date, str, int]
Names = Union[str, Sequence[str]]


class Error(Exception):
    status: str


class BusyError(Error): ...
class CorruptError(Error): ...
class SchemaError(Error): ...
class ReadOnlyError(Error): ...
class NotFoundError(Error, KeyError): ...
class ExistsError(Error): ...
class InvalidError(Error, ValueError): ...


class QuerySyntaxError(InvalidError):
    offset: int
    char_offset: int
    query: str


class MisuseError(Error, ValueError): ...
class FileError(Error, OSError): ...
class InterruptError(Error): ...
class TimeLimitError(Error, TimeoutError): ...


def version() -> str: ...
def languages() -> List[str]: ...
def formats() -> Dict[str, bool]: ...


class Article:
    key: Optional[str]
    url: Optional[str]
    title: Optional[str]
    date: Optional[DateLike]
    date_text: Optional[str]
    authors: Sequence[Union[str, Tuple[str, Optional[str]]]]
    topics: Sequence[str]
    countries: Sequence[str]
    tags: Sequence[str]
    summary: Optional[str]
    body: Optional[str]
    bio: Optional[str]
    language: Optional[str]
    related_titles: Sequence[str]

    def __init__(self, *, key: Optional[str] = ..., url: Optional[str] = ...,
                 title: Optional[str] = ..., date: Optional[DateLike] = ...,
                 date_text: Optional[str] = ...,
                 authors: Sequence[Union[str, Tuple[str, Optional[str]]]] = ...,
                 topics: Sequence[str] = ..., countries: Sequence[str] = ...,
                 tags: Sequence[str] = ..., summary: Optional[str] = ...,
                 body: Optional[str] = ..., bio: Optional[str] = ...,
                 language: Optional[str] = ..., related_titles: Sequence[str] = ...) -> None: ...
    def asdict(self) -> Dict[str, Any]: ...


class Hit(NamedTuple):
    key: str
    url: Optional[str]
    title: Optional[str]
    date: Optional[datetime.date]
    authors: Tuple[Tuple[str, Optional[str]], ...]
    score: Optional[float]
    snippet: Optional[str]
    # also by name: date_text: Optional[str]


class Results(Sequence[Hit]):
    hits: List[Hit]
    total: int
    query: str
    facets: Optional[Dict[str, List[Tuple[str, int]]]]
    suggestion: Optional[str]
    fallback: bool
    dropped: Tuple[str, ...]
    question: bool
    explain: Optional[str]
    def __len__(self) -> int: ...
    def __getitem__(self, i: int) -> Hit: ...  # type: ignore[override]
    def __iter__(self) -> Iterator[Hit]: ...


class Related(NamedTuple):
    key: str
    title: Optional[str]
    score: float
    explanation: Optional[str]
    shared: Optional[Dict[str, Tuple[str, ...]]]


class Tally(NamedTuple):
    added: int
    updated: int
    unchanged: int
    removed: int
    skipped: int
    failed: int
    failed_files: int
    errors: Tuple[str, ...]
    warnings: Tuple[str, ...]


class Transaction:
    def __enter__(self) -> "Transaction": ...
    def __exit__(self, *exc: Any) -> bool: ...


class Index:
    path: str
    language: str
    closed: bool
    readonly: bool
    generation: int

    def __init__(self, path: StrPath, mode: str = "r", language: Optional[str] = None,
                 timeout: float = 5.0, lock: bool = False) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> "Index": ...
    def __exit__(self, *exc: Any) -> None: ...
    def put(self, article: Union[Article, Mapping[str, Any]]) -> str: ...
    def get(self, key: str, default: Any = ...) -> Article: ...
    def delete(self, key: str) -> None: ...
    def keys(self) -> List[str]: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[str]: ...
    def __contains__(self, key: object) -> bool: ...
    def __getitem__(self, key: str) -> Article: ...
    def __delitem__(self, key: str) -> None: ...
    def transaction(self) -> Transaction: ...
    def check(self) -> List[str]: ...
    def export(self, file: Union[StrPath, IO[str], IO[bytes]]) -> int: ...
    def optimize(self) -> None: ...
    def rebuild(self) -> None: ...
    def set_time_limit(self, seconds: Optional[float]) -> None: ...
    def complete(self, text: str, n: int = 10) -> List[Tuple[str, str, int, Optional[str]]]: ...
    def search(self, query: str, limit: int = 10, offset: int = 0, sort: str = "relevance",
               after: Optional[DateLike] = None, before: Optional[DateLike] = None,
               author: Optional[Names] = None, topic: Optional[Names] = None,
               country: Optional[Names] = None, tag: Optional[Names] = None,
               facets: Union[bool, int] = False, strict: bool = False,
               fallback: bool = True, aliases: bool = True, all_words: bool = False,
               rank_all: bool = False, html: bool = False,
               marks: Optional[Tuple[str, str]] = None, ellipsis: Optional[str] = None,
               snippet_words: int = 0, explain: bool = False, snippets: bool = True,
               feedback: Optional[bool] = None, suggest: Optional[bool] = None) -> Results: ...
    def related(self, key: str, n: int = 10, explain: bool = False) -> List[Related]: ...
    def build_related(self, progress: Optional[Callable[[str, int, int], Any]] = None
                      ) -> Dict[str, Any]: ...
    def refresh_related(self, progress: Optional[Callable[[str, int, int], Any]] = None
                        ) -> Dict[str, Any]: ...
    def add_paths(self, paths: Union[StrPath, Sequence[StrPath]],
                  progress: Optional[Callable[[int, int, Tally], Any]] = None,
                  format: Optional[str] = None, prune: Optional[bool] = None,
                  prune_all: bool = False, exclude: Sequence[str] = (),
                  checksum: bool = False, batch: int = 2000, related: bool = True,
                  optimize: Optional[bool] = None) -> Tally: ...
