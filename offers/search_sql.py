"""The SQL the search reads with, one named statement per step (see ``offers.search``).

Every statement binds its parameters on the server (``offers.bitmaps.binary_cursor``) and
keeps the same text from page to page, so psycopg prepares it once per connection.
"""

from __future__ import annotations

# The three text-search configurations an offer's document is written in.
CONFIGURATIONS = (
    "VALUES (1, 'french_unaccent'::regconfig), (2, 'dutch_unaccent'::regconfig),"
    " (3, 'simple_unaccent'::regconfig)"
)

# What the citizen typed, as each configuration parses it (quotes, or, -word included).
_TYPED = """
typed(n, tsq) AS (
    SELECT n, websearch_to_tsquery(config, %(text)s)::text FROM configs WHERE %(text)s <> ''
)"""

# "Did you mean": each typed word found in no offer (in no configuration) and unknown to the
# register's vocabulary is replaced by the closest word of it (trigram GiST, nearest first).
_CORRECTION = """
correction(text, is_changed) AS (
    SELECT string_agg(coalesce(close.word, w.input), ' ' ORDER BY w.position),
           coalesce(bool_or(close.word IS NOT NULL), false)
    FROM unnest(%(words)s::text[]) WITH ORDINALITY AS w(input, position)
    LEFT JOIN LATERAL (
        SELECT s.word FROM offers_searchword s
        WHERE length(w.input) >= 3
          -- A range, so the b-tree answers (the trigram GiST index would, slowly, for "=").
          AND NOT EXISTS (
              SELECT FROM offers_searchword k
              WHERE k.word BETWEEN unaccent(w.input) AND unaccent(w.input))
          AND NOT EXISTS (
              SELECT FROM offers_searchbitmap b WHERE b.key = ANY(ARRAY(
                  SELECT 'w:' || unnest(tsvector_to_array(to_tsvector(config, w.input)))
                  FROM configs)))
          AND s.word %% unaccent(w.input)
        ORDER BY s.word <-> unaccent(w.input), s.word
        LIMIT 1
    ) close ON true
),
corrected(n, tsq) AS (
    SELECT n, websearch_to_tsquery(config, correction.text)::text
    FROM configs, correction WHERE correction.is_changed
)"""

# The lexemes of both queries, read from their text ('it''s' is the lexeme it's).
_LEXEMES = r"""
lexemes(lexeme) AS (
    SELECT DISTINCT replace(m[1], '''''', '''')
    FROM (SELECT tsq FROM typed UNION ALL SELECT tsq FROM corrected) q,
         regexp_matches(q.tsq, '''((?:[^'']|'''')+)''', 'g') AS m
)"""

# The sets to read: the keys asked for, each lexeme's word and title sets, every facet
# value, every date bucket, and the day and month sets within the date ranges asked for.
# The key column sorts in the C collation, so a prefix is an index range ('f:' to 'f;').
_WANTED = """
wanted(key) AS (
    SELECT unnest(%(keys)s::text[])
    UNION SELECT prefix || lexeme FROM lexemes, unnest(ARRAY['w:', 't:']) AS prefix
    UNION SELECT key FROM offers_searchbitmap WHERE key >= 'f:' AND key < 'f;'
    UNION SELECT key FROM offers_searchbitmap WHERE key >= 'n:' AND key < 'n;'
    UNION SELECT b.key
    FROM unnest(%(ranges_from)s::text[], %(ranges_to)s::text[]) AS r(low, high)
    JOIN offers_searchbitmap b ON b.key BETWEEN r.low AND r.high
),
sets(key, data) AS (
    SELECT b.key, b.data FROM offers_searchbitmap b
    WHERE b.key = ANY(ARRAY(SELECT key FROM wanted))
)"""

# Great-circle distance in km from the place asked for to a row's latitude and longitude.
DISTANCE_KM = (
    "(%(earth_radius)s * acos(least(1.0, greatest(-1.0,"
    " cos(radians(%(latitude)s)) * cos(radians({row}.latitude))"
    " * cos(radians({row}.longitude) - radians(%(longitude)s))"
    " + sin(radians(%(latitude)s)) * sin(radians({row}.latitude))))))"
)

# The places within the radius (their key holds their coordinates): keys sort by latitude,
# so only the band of latitudes the radius reaches is read, then a box, then the circle.
_PLACES = (
    """
places(key, data, distance) AS (
    SELECT p.key, p.data, p.distance FROM (
        SELECT b.key, b.data, """
    + DISTANCE_KM.format(row="b")
    + """ AS distance
        FROM (
            SELECT key, data, split_part(key, ':', 2)::float8 AS latitude,
                   split_part(key, ':', 3)::float8 AS longitude
            FROM offers_searchbitmap
            WHERE %(is_near)s AND key >= %(band_from)s AND key < %(band_to)s
        ) b
        WHERE b.latitude BETWEEN %(south)s AND %(north)s
          AND b.longitude BETWEEN %(west)s AND %(east)s
    ) p
    WHERE p.distance <= %(radius)s
)"""
)

# Step "sets": one row, each column one thing.
READ_INDEX = f"""
WITH configs(n, config) AS ({CONFIGURATIONS}),
{_TYPED},
{_CORRECTION},
{_LEXEMES},
{_WANTED},
{_PLACES}
SELECT
    ARRAY(SELECT tsq FROM typed ORDER BY n) AS typed,
    (SELECT text FROM correction WHERE is_changed) AS correction,
    ARRAY(SELECT tsq FROM corrected ORDER BY n) AS corrected,
    ARRAY(SELECT key FROM sets ORDER BY key) AS set_keys,
    ARRAY(SELECT data FROM sets ORDER BY key) AS set_data,
    ARRAY(SELECT key FROM places ORDER BY distance, key) AS place_keys,
    ARRAY(SELECT distance FROM places ORDER BY distance, key) AS place_distances,
    ARRAY(SELECT data FROM places ORDER BY distance, key) AS place_data
"""

# Step "sets", for a phrase: the candidates (offers holding all its words) that hold the
# words in that order. Parallel arrays: candidate offer ids and the number of their phrase.
CHECK_PHRASES = """
SELECT c.phrase, array_agg(c.offer_id ORDER BY c.offer_id)
FROM unnest(%(offer_ids)s::int[], %(phrase_numbers)s::int[]) AS c(offer_id, phrase)
JOIN unnest(%(phrases)s::tsquery[]) WITH ORDINALITY AS q(query, phrase) USING (phrase)
JOIN offers_searchdocument d ON d.offer_id = c.offer_id
WHERE d.document @@ q.query
GROUP BY c.phrase
"""

# The date order: the soonest next session first, then the most recently published.
DATE_ORDER = "d.next_session_at ASC NULLS LAST, d.published_at DESC NULLS LAST, d.offer_id"

# Step "order": each segment's slice in date order. Parallel arrays: candidate offer ids and
# the number of their segment; then each segment's offers to skip and to take.
ORDER_SEGMENTS = f"""
WITH ranked AS (
    SELECT c.segment, d.offer_id,
           row_number() OVER (PARTITION BY c.segment ORDER BY {DATE_ORDER}) AS position
    FROM unnest(%(offer_ids)s::int[], %(segment_numbers)s::int[]) AS c(offer_id, segment)
    JOIN offers_searchdocument d ON d.offer_id = c.offer_id
)
SELECT r.offer_id
FROM ranked r
JOIN unnest(%(skips)s::int[], %(takes)s::int[]) WITH ORDINALITY AS s(skip, take, segment)
    USING (segment)
WHERE r.position > s.skip AND r.position <= s.skip + s.take
ORDER BY r.segment, r.position
"""

# Step "cards": what a result card shows, in the three languages, with the matched words
# of the title and summary marked (ts_headline) in the page's language.
CARD_LANGUAGES = ("fr", "nl", "en")
# The columns a card shows, each in the three languages (modeltranslation's columns).
CARD_TEXTS = {
    "title": "o.title",
    "summary": "o.summary",
    "centre_name": "c.name",
    "centre_place": "cm.name",
    "own_place": "om.name",
    "format_name": "f.name",
}
_CARD_QUERY = """
q AS (SELECT websearch_to_tsquery('french_unaccent', %(text)s)
           || websearch_to_tsquery('dutch_unaccent', %(text)s)
           || websearch_to_tsquery('simple_unaccent', %(text)s) AS tsq)"""
_CARDS = (
    "WITH"
    + _CARD_QUERY
    + """
SELECT o.id, o.uses_centre_address, o.is_free, o.is_anonymous_possible, o.booking_need,
    (SELECT min(s.starts_at) FROM offers_session s
     WHERE s.offer_id = o.id AND s.starts_at >= %(now)s AND NOT s.is_cancelled),
    EXISTS (SELECT 1 FROM charter_signature g
            WHERE g.centre_id = o.centre_id AND g.status = ANY(%(in_force)s)),
    {texts}, {marked}
FROM offers_offer o
JOIN centres_centre c ON c.id = o.centre_id
JOIN centres_municipality cm ON cm.id = c.municipality_id
LEFT JOIN centres_municipality om ON om.id = o.municipality_id
JOIN offers_format f ON f.id = o.format_id
CROSS JOIN q
WHERE o.id = ANY(%(ids)s)
"""
)


def _headline(column: str, language: str) -> str:
    """The column in the page's language (else the first filled one), the words marked."""
    own = f"o.{column}_{language}"
    return (
        f"CASE WHEN %(text)s = '' THEN NULL WHEN coalesce({own}, '') <> '' "
        f"THEN ts_headline(%(config)s::regconfig, {own}, q.tsq, %(options)s) "
        f"ELSE ts_headline('french_unaccent', coalesce(nullif(o.{column}_fr, ''), "
        f"nullif(o.{column}_nl, ''), o.{column}_en, ''), q.tsq, %(options)s) END"
    )


def cards(language: str) -> str:
    """The cards statement for a page in ``language`` (one of ``CARD_LANGUAGES``)."""
    texts = ", ".join(
        f"{column}_{code}" for column in CARD_TEXTS.values() for code in CARD_LANGUAGES
    )
    marked = ", ".join(_headline(column, language) for column in ("title", "summary"))
    return _CARDS.format(texts=texts, marked=marked)


CARDS = {language: cards(language) for language in CARD_LANGUAGES}

# The agenda: the upcoming sessions of the offers found, in a period, soonest first.
_AGENDA_SESSIONS = """
FROM offers_session s
WHERE s.offer_id = ANY(%(offer_ids)s) AND NOT s.is_cancelled
  AND s.starts_at >= %(starts_from)s
  AND (%(starts_before)s::timestamptz IS NULL OR s.starts_at < %(starts_before)s::timestamptz)
"""
AGENDA_COUNT = "SELECT count(*)" + _AGENDA_SESSIONS
AGENDA_PAGE = (
    "SELECT s.id"
    + _AGENDA_SESSIONS
    + "ORDER BY s.starts_at, s.id LIMIT %(limit)s OFFSET %(offset)s"
)
