"""Japan Ministry of Finance: JGB yields and International Transactions in Securities.

Plain Python, no Dagster. `urls` names the publisher's files, `jgb_parse` reads the four
JGB interest-rate CSVs and `flows_parse` the securities-transaction CSVs (with
`flows_columns`, `flows_read` and `flows_investor`); `datasets` declares the staging tables.
All MOF files are Shift_JIS (cp932); `decode_cp932` is the one strict decoder they share, so
a re-encoded or corrupted file fails loudly instead of turning into U+FFFD soup.
"""

from __future__ import annotations

from pipelines.lib.errors import ParseError


def decode_cp932(body: bytes) -> str:
    """Decode a MOF file strictly as cp932; raise ParseError if it is anything else.

    A UTF-8 copy is named as such: re-saved copies of MOF files circulate, and "illegal
    multibyte sequence" alone would not tell the operator why.
    """
    try:
        return body.decode("cp932")
    except UnicodeDecodeError as exc:
        hint = ""
        if _is_non_ascii_utf8(body):
            hint = " (it is valid UTF-8: a re-encoded copy, or the publisher changed encoding)"
        raise ParseError(
            f"file is not Shift_JIS/cp932{hint}: byte {exc.start} "
            f"({body[exc.start : exc.start + 2]!r}) cannot be decoded"
        ) from exc


def _is_non_ascii_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not body.isascii()
