"""Refuse a form whose body cannot be read, with the site's 400 page, before anything reads it."""

import codecs
from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig

from .errors import bad_request

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _is_utf8(name):
    try:
        return codecs.lookup(name).name == "utf-8"
    except LookupError:
        return False


def form_body_is_readable(request):
    """Whether Django can turn this request's form body into request.POST as the client meant it.

    Django 5.2 raises BadRequest for a url-encoded form in any charset but UTF-8; that raised
    again inside its 400 handler (which reads request.POST for a CSRF token), making a 500.
    An unknown charset, or bytes that are not UTF-8 once un-percent-encoded, are refused too:
    Django would silently turn them into question marks in a client's name or note.
    """
    if request.method in {"GET", "HEAD", "OPTIONS"} or request.content_type not in FORM_TYPES:
        return True
    charset = request.content_params.get("charset")
    if charset is not None and not _is_utf8(charset):
        return False  # our pages are UTF-8, and so is every form a browser sends from them
    if request.content_type == "multipart/form-data":
        return True  # Django decodes each part as UTF-8, replacing what does not fit.
    try:
        body = request.body
    except RequestDataTooBig:
        return False
    # The form's key=value pairs, as parse_qsl splits them ("+" is a space, so no problem).
    return all(_decodes(unquote_to_bytes(field)) for field in body.split(b"&"))


def _decodes(raw):
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class UnreadableFormMiddleware:
    """Placed before CsrfViewMiddleware, the first to read request.POST."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not form_body_is_readable(request):
            return bad_request(request)
        return self.get_response(request)
