"""Any text or number in any field of the need, offer, sign-up and login forms is accepted or
answered with a message at a field (4xx), never a 5xx: Hypothesis writes the values.

A fixed seed (``derandomize``) and a few dozen examples per form keep this quick and repeatable;
the values lean towards what broke before: control characters, line breaks, Unicode digits,
thousands of digits, decimal commas.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.accounts.conftest import anonymous_token
from tests.portfolio.conftest import need_form, offer_form
from tests.proposals.conftest import browser_for, cast  # noqa: F401 - fixtures
from tests.web.test_bad_input import signup_form

FUZZ = settings(max_examples=30, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
FIELD_ERROR = re.compile(r'<span class="field-error" id="error-[\w-]+">[^<]+</span>')

numbers_as_typed = st.one_of(
    st.integers().map(str),
    st.integers(min_value=0, max_value=10**40).map(lambda n: f"{n:,}"),
    st.from_regex(r"-?[0-9\u0660-\u0669\u00b2]{1,30}([,. ][0-9]{1,4})?", fullmatch=True),
    st.integers(min_value=4_000, max_value=6_000).map(lambda digits: "9" * digits),
)
any_text = st.one_of(st.text(max_size=300), st.text(st.characters(max_codepoint=0x20)),
                     st.sampled_from(["\x00", "a\nb", "\u2028", "²", "٣", "1,5", ""]))
any_value = st.one_of(any_text, numbers_as_typed)


def changes_to(form: dict, number_fields: tuple[str, ...] = ()) -> st.SearchStrategy[dict]:
    """One to three fields of ``form`` given any value; every other time, the number fields
    given numbers as people (and scripts) type them."""
    anything = st.dictionaries(st.sampled_from(sorted(form)), any_value, min_size=1, max_size=3)
    if not number_fields:
        return anything
    numbers = st.dictionaries(st.sampled_from(number_fields), numbers_as_typed, min_size=1)
    return st.one_of(numbers, anything)


def assert_answered_at_a_field(response, accepted: tuple[int, ...] = (303,)) -> None:
    assert response.status_code < 500, response.text[:500]
    if response.status_code not in accepted:
        assert 400 <= response.status_code < 500
        assert FIELD_ERROR.search(response.text), response.text[:800]


@pytest.mark.parametrize(("role", "path", "form", "number_fields"), [
    ("requester", "/needs/new", need_form(), ("estimated_cost", "quantity")),
    ("donor", "/offers/new", offer_form(), ("budget", "quantity")),
])
def test_need_and_offer_forms_take_any_value(cast, browser_for, role, path, form,
                                              number_fields):
    browser = browser_for(getattr(cast, role))

    @FUZZ
    @given(changes=changes_to(form, number_fields))
    def submit(changes):
        response = browser.form(path, {**form, **changes, "intent": "draft"})
        assert_answered_at_a_field(response)

    submit()


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         any_text, numbers_as_typed)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)


def test_the_need_api_takes_any_json_value(cast, browser_for):
    browser = browser_for(cast.requester)
    form = need_form()

    @FUZZ
    @given(changes=st.one_of(
        changes_to(form, ("estimated_cost", "quantity")),
        st.dictionaries(st.sampled_from(sorted(form)), json_values, min_size=1, max_size=3)))
    def submit(changes):
        response = browser.api("POST", "/api/needs", {**form, **changes})
        assert response.status_code < 500, response.text[:500]
        if response.status_code != 201:
            assert response.json().get("field"), response.text[:500]

    submit()


def test_signup_takes_any_value(client):
    form = signup_form()

    @FUZZ
    @given(changes=changes_to({**form, "organisation_id": "", "organisation_choice": ""}))
    def submit(changes):
        token = anonymous_token(client)
        response = client.post("/signup", data={**form, **changes, "_csrf": token},
                               follow_redirects=False)
        assert_answered_at_a_field(response)

    submit()


def test_login_takes_any_value(client):
    @FUZZ
    @given(email=any_value, password=any_value)
    def submit(email, password):
        token = anonymous_token(client)
        response = client.post("/login", data={"email": email, "password": password,
                                               "_csrf": token}, follow_redirects=False)
        assert response.status_code in (422, 429), response.text[:500]
        # Unknown credentials are answered above the form; anything unreadable at its field.
        assert FIELD_ERROR.search(response.text) or 'role="alert"' in response.text

    submit()
