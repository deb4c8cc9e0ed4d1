"""The SQL that writes the search index: documents, words and sets, one named statement each.

Which offers are findable is not written here: ``offers.indexing`` asks
``Offer.objects.findable()`` and passes their ids.
"""

# The search document of each findable offer given (%(ids)s), written or replaced. The
# offer's place is its own municipality when it is not at the centre's address.
UPSERT_DOCUMENTS = """
INSERT INTO offers_searchdocument (
    offer_id, document, theme_ids, audience_ids, format_id, province_id, latitude, longitude,
    delivery_mode, is_free, is_anonymous_possible, needs_booking, languages, session_dates,
    next_session_at, published_at, indexed_at
)
SELECT
    o.id,
    setweight(to_tsvector('french_unaccent', coalesce(o.title_fr, '')), 'A')
    || setweight(to_tsvector('dutch_unaccent', coalesce(o.title_nl, '')), 'A')
    || setweight(to_tsvector('simple_unaccent', coalesce(o.title_en, '')), 'A')
    || setweight(to_tsvector('french_unaccent', coalesce(terms.fr, '')), 'B')
    || setweight(to_tsvector('dutch_unaccent', coalesce(terms.nl, '')), 'B')
    || setweight(to_tsvector('simple_unaccent', concat_ws(' ', terms.en, c.name_fr, c.name_nl,
                                                           m.name_fr, m.name_nl)), 'B')
    || setweight(to_tsvector('french_unaccent', concat_ws(' ', o.summary_fr,
           regexp_replace(
               left(coalesce(o.description_fr, ''), %(cap)s), '<[^>]*>', ' ', 'g'))), 'C')
    || setweight(to_tsvector('dutch_unaccent', concat_ws(' ', o.summary_nl,
           regexp_replace(
               left(coalesce(o.description_nl, ''), %(cap)s), '<[^>]*>', ' ', 'g'))), 'C')
    || setweight(to_tsvector('simple_unaccent', concat_ws(' ', o.summary_en,
           regexp_replace(
               left(coalesce(o.description_en, ''), %(cap)s), '<[^>]*>', ' ', 'g'))), 'C'),
    ARRAY(SELECT ot.theme_id FROM offers_offer_themes ot WHERE ot.offer_id = o.id ORDER BY 1),
    ARRAY(SELECT oa.audience_id FROM offers_offer_audiences oa WHERE oa.offer_id = o.id
          ORDER BY 1),
    o.format_id,
    m.province_id,
    CASE WHEN o.uses_centre_address OR om.id IS NULL THEN c.latitude ELSE om.latitude END,
    CASE WHEN o.uses_centre_address OR om.id IS NULL THEN c.longitude ELSE om.longitude END,
    o.delivery_mode,
    o.is_free,
    o.is_anonymous_possible,
    o.booking_need <> 'none',
    o.languages,
    coalesce(sessions.dates, '{}'),
    sessions.next_at,
    o.published_at,
    %(now)s
FROM offers_offer o
JOIN centres_centre c ON c.id = o.centre_id
LEFT JOIN centres_municipality om ON om.id = o.municipality_id AND NOT o.uses_centre_address
JOIN centres_municipality m ON m.id = coalesce(om.id, c.municipality_id)
LEFT JOIN LATERAL (
    SELECT string_agg(t.name_fr, ' ') AS fr, string_agg(t.name_nl, ' ') AS nl,
           string_agg(t.name_en, ' ') AS en
    FROM (
        SELECT th.name_fr, th.name_nl, th.name_en FROM offers_theme th
        JOIN offers_offer_themes ot ON ot.theme_id = th.id WHERE ot.offer_id = o.id
        UNION ALL
        SELECT au.name_fr, au.name_nl, au.name_en FROM offers_audience au
        JOIN offers_offer_audiences oa ON oa.audience_id = au.id WHERE oa.offer_id = o.id
        UNION ALL
        SELECT f.name_fr, f.name_nl, f.name_en FROM offers_format f WHERE f.id = o.format_id
    ) t
) terms ON true
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT (s.starts_at AT TIME ZONE %(tz)s)::date) AS dates,
           min(s.starts_at) AS next_at
    FROM offers_session s
    WHERE s.offer_id = o.id AND NOT s.is_cancelled AND s.starts_at >= %(now)s
) sessions ON true
WHERE o.id = ANY(%(ids)s)
ON CONFLICT (offer_id) DO UPDATE SET
    document = EXCLUDED.document, theme_ids = EXCLUDED.theme_ids,
    audience_ids = EXCLUDED.audience_ids, format_id = EXCLUDED.format_id,
    province_id = EXCLUDED.province_id, latitude = EXCLUDED.latitude,
    longitude = EXCLUDED.longitude, delivery_mode = EXCLUDED.delivery_mode,
    is_free = EXCLUDED.is_free, is_anonymous_possible = EXCLUDED.is_anonymous_possible,
    needs_booking = EXCLUDED.needs_booking, languages = EXCLUDED.languages,
    session_dates = EXCLUDED.session_dates, next_session_at = EXCLUDED.next_session_at,
    published_at = EXCLUDED.published_at, indexed_at = EXCLUDED.indexed_at
"""

DELETE_DOCUMENTS = "DELETE FROM offers_searchdocument WHERE offer_id = ANY(%s)"

# Words people may mistype: titles, summaries, vocabularies, centres and municipalities.
INSERT_WORDS = """
INSERT INTO offers_searchword (word)
SELECT DISTINCT w FROM (
    SELECT regexp_split_to_table(lower(unaccent(concat_ws(' ',
        o.title_fr, o.title_nl, o.title_en, o.summary_fr, o.summary_nl, o.summary_en,
        c.name_fr, c.name_nl, m.name_fr, m.name_nl))), '[^a-z0-9]+') AS w
    FROM offers_offer o
    JOIN centres_centre c ON c.id = o.centre_id
    JOIN centres_municipality m ON m.id = c.municipality_id
    WHERE o.id = ANY(%(ids)s)
    UNION ALL
    SELECT regexp_split_to_table(lower(unaccent(concat_ws(' ', name_fr, name_nl, name_en))),
                                 '[^a-z0-9]+')
    FROM (SELECT name_fr, name_nl, name_en FROM offers_theme
          UNION ALL SELECT name_fr, name_nl, name_en FROM offers_audience
          UNION ALL SELECT name_fr, name_nl, name_en FROM offers_format) terms
    WHERE %(with_terms)s
) words
WHERE length(w) BETWEEN 3 AND 60 AND w !~ '^[0-9]+$'
  -- Written as a range so that the b-tree answers: for "=" the planner may pick the trigram
  -- GiST index, which supports it but reads hundreds of pages per word.
  AND NOT EXISTS (SELECT FROM offers_searchword known WHERE known.word BETWEEN w AND w)
ON CONFLICT (word) DO NOTHING
"""

# The keys of each document (see offers.bitmaps), computed from its row.
_KEYS = """
SELECT d.offer_id, ARRAY(
    SELECT 'w:' || u.lexeme FROM unnest(d.document) u
    UNION ALL SELECT 't:' || u.lexeme FROM unnest(d.document) u WHERE 'A' = ANY(u.weights)
    UNION ALL SELECT 'f:theme:' || x FROM unnest(d.theme_ids) x
    UNION ALL SELECT 'f:audience:' || x FROM unnest(d.audience_ids) x
    UNION ALL SELECT DISTINCT 'f:language:' || x FROM unnest(d.languages) x
    UNION ALL SELECT 'd:' || to_char(x, 'YYYY-MM-DD') FROM unnest(d.session_dates) x
    UNION ALL SELECT DISTINCT 'm:' || to_char(x, 'YYYY-MM') FROM unnest(d.session_dates) x
    UNION ALL SELECT k FROM unnest(ARRAY[
        'all', 'f:format:' || d.format_id, 'f:province:' || d.province_id,
        'f:mode:' || d.delivery_mode,
        CASE WHEN d.is_free THEN 'f:free' END,
        CASE WHEN d.is_anonymous_possible THEN 'f:anonymous' END,
        CASE WHEN NOT d.needs_booking THEN 'f:no_booking' END,
        'p:' || round(d.latitude::numeric, 6) || ':' || round(d.longitude::numeric, 6),
        CASE WHEN cardinality(d.session_dates) > 0
             THEN 'n:' || to_char((SELECT min(x) FROM unnest(d.session_dates) x), 'YYYY-MM-DD')
             ELSE 'n:~' || coalesce(to_char(d.published_at AT TIME ZONE 'UTC', 'YYYY-MM'),
                                    '0000-00')
        END
    ]) k WHERE k IS NOT NULL
) FROM offers_searchdocument d
"""
KEYS_OF_DOCUMENTS = _KEYS + " WHERE d.offer_id = ANY(%s)"
# Every key with its offers, in key order (the rebuild).
EVERY_SET = (
    f"SELECT key, array_agg(offer_id) FROM ({_KEYS}) AS docs(offer_id, keys), "
    "unnest(docs.keys) AS key GROUP BY key ORDER BY key"
)

READ_SETS = "SELECT key, data FROM offers_searchbitmap WHERE key = ANY(%s)"
WRITE_SET = (
    "INSERT INTO offers_searchbitmap (key, data) VALUES (%s, %s) "
    "ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data"
)
DELETE_SETS = "DELETE FROM offers_searchbitmap WHERE key = ANY(%s)"
DELETE_EVERY_SET = "DELETE FROM offers_searchbitmap"
COPY_SETS = "COPY offers_searchbitmap (key, data) FROM STDIN"
# An empty register still has its (empty) set of every offer.
KEEP_ALL_SET = (
    "INSERT INTO offers_searchbitmap (key, data) VALUES ('all', %s) ON CONFLICT (key) DO NOTHING"
)
