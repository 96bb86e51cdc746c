"""Who may reach the API's URLs (the URL sweep). The API's operations are public to the
access middleware and answer to a token: a signed-in session without one gets 401."""

from vawg.core.tests.sweep import PUBLIC, SIGNED_IN, Rule

TOKEN = frozenset({401})

RULES = {
    # Ninja's root, which only names where the API starts: nothing is served there.
    "api:api-root": Rule(PUBLIC, ok=frozenset({404})),
    "api:openapi-json": Rule(PUBLIC),
    "api:openapi-view": Rule(SIGNED_IN),
    "api:token": Rule(PUBLIC, ok=TOKEN),
}
