/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * compose.c -- the presence a watcher gets from what a presentity published
 * (RFC 3903: one document per device or publication): every tuple, one merged
 * person, the unknown extensions once each; and the "closed" document that an
 * edge returns for a presentity it will not disclose, shaped like any other.
 * Tuple ids in both are HMACs under the edge's key, so that the ids a device
 * chose do not leak and a closed document's tuple looks like a real one.
 */
#include <stdlib.h>
#include <string.h>

#include "pidf/pidf_int.h"

#define MIN_KEY 16

static bool digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/*
 * An RFC 3339 date-time (what <timestamp> holds, RFC 3863 §4.1.7) as seconds
 * since the epoch; fractions are ignored. @return false when it is not one.
 */
static bool parse_time(ef_str_t s, int64_t *t)
{
    int y, mo, d, h, mi, sec, oh = 0, om = 0;
    size_t i = 19;
    int sign = 0;

    if (s.len < 20 || !digits(s.ptr, 4, &y) || s.ptr[4] != '-' || !digits(s.ptr + 5, 2, &mo) ||
        s.ptr[7] != '-' || !digits(s.ptr + 8, 2, &d) || (s.ptr[10] != 'T' && s.ptr[10] != 't') ||
        !digits(s.ptr + 11, 2, &h) || s.ptr[13] != ':' || !digits(s.ptr + 14, 2, &mi) ||
        s.ptr[16] != ':' || !digits(s.ptr + 17, 2, &sec) || mo < 1 || mo > 12 || d < 1 || d > 31 ||
        h > 23 || mi > 59 || sec > 60)
        return false;
    if (s.ptr[i] == '.')
        for (i++; i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9'; i++)
            ;
    if (i + 1 == s.len && (s.ptr[i] == 'Z' || s.ptr[i] == 'z'))
        sign = 0;
    else if (i + 6 == s.len && (s.ptr[i] == '+' || s.ptr[i] == '-') &&
             digits(s.ptr + i + 1, 2, &oh) && s.ptr[i + 3] == ':' && digits(s.ptr + i + 4, 2, &om))
        sign = s.ptr[i] == '+' ? 1 : -1;
    else
        return false;
    *t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
         sign * (int64_t)(oh * 3600 + om * 60);
    return true;
}

static bool str_eq(ef_str_t a, ef_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static ef_pidf_t *new_doc(void)
{
    struct ef_arena *a = ef__arena_new();
    ef_pidf_t *p = a != NULL ? ef__arena_alloc(a, sizeof(*p)) : NULL;

    if (p == NULL) {
        ef__arena_free(a);
        return NULL;
    }
    memset(p, 0, sizeof(*p));
    p->arena = a;
    return p;
}

/* Strings from every source, each distinct one once, in order of appearance. */
static int union_strs(struct ef_arena *a, ef_str_t **dst, size_t *n, const ef_str_t *const *src,
                      const size_t *ns, size_t k)
{
    size_t total = 0;

    *n = 0;
    for (size_t i = 0; i < k; i++)
        total += ns[i];
    if (total == 0)
        return 0;
    *dst = ef__arena_alloc(a, total * sizeof(**dst));
    if (*dst == NULL)
        return EF_ENOMEM;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < ns[i]; j++) {
            size_t m = 0;

            while (m < *n && !str_eq((*dst)[m], src[i][j]))
                m++;
            if (m == *n && ef__pidf_dup(a, &(*dst)[(*n)++], src[i][j]) != 0)
                return EF_ENOMEM;
        }
    return 0;
}

/* Tuples of every document, copied with their original ids. */
static int compose_tuples(ef_pidf_t *p, const ef_pidf_t *const *docs, size_t n)
{
    size_t total = 0;

    for (size_t i = 0; i < n; i++)
        total += docs[i]->n_tuples;
    if (total > EF_PIDF_MAX_TUPLES)
        return EF_EINVAL;
    if (total == 0)
        return 0;
    p->tuples = ef__arena_alloc(p->arena, total * sizeof(*p->tuples));
    if (p->tuples == NULL)
        return EF_ENOMEM;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < docs[i]->n_tuples; j++)
            if (ef__pidf_copy_tuple(p->arena, &p->tuples[p->n_tuples++], &docs[i]->tuples[j]) != 0)
                return EF_ENOMEM;
    return 0;
}

/*
 * Ids unique and not the devices' own: HMAC(key, entity, id, how often the id
 * was used before). Last to first, so the earlier ids are still the originals.
 */
static int rename_tuples(ef_pidf_t *p, const void *key, size_t keylen)
{
    for (size_t k = p->n_tuples; k-- > 0;) {
        char id[13], seen[24];
        size_t uses = 0;
        ef_str_t parts[3] = {p->entity, p->tuples[k].id, {seen, 0}};

        for (size_t m = 0; m < k; m++)
            uses += str_eq(p->tuples[m].id, p->tuples[k].id);
        parts[2].len = (size_t)snprintf(seen, sizeof(seen), "%zu", uses);
        if (ef__pidf_stable_id(key, keylen, parts, 3, id) != 0 ||
            ef__pidf_dup(p->arena, &p->tuples[k].id, ef__pidf_cstr(id)) != 0)
            return EF_ENOMEM;
    }
    return 0;
}

/* The person whose <dm:timestamp> is the most recent; a later one wins a tie. */
static const ef_pidf_person_t *latest_person(const ef_pidf_t *const *docs, size_t n)
{
    const ef_pidf_person_t *best = NULL;
    int64_t best_t = INT64_MIN, t;

    for (size_t i = 0; i < n; i++) {
        const ef_pidf_person_t *p = &docs[i]->person;

        if (!p->present)
            continue;
        if (!parse_time(p->timestamp, &t))
            t = INT64_MIN;
        if (best == NULL || t >= best_t) {
            best = p;
            best_t = t;
        }
    }
    return best;
}

/* A CIPID value from the winner, or else from the first person that has one. */
static const ef_pidf_rich_t *cipid_from(const ef_pidf_t *const *docs, size_t n,
                                        const ef_pidf_person_t *win, size_t off)
{
    const ef_str_t *v = (const ef_str_t *)(const void *)((const char *)&win->rich + off);

    for (size_t i = 0; i < n && v->len == 0; i++)
        if (docs[i]->person.present &&
            ((const ef_str_t *)(const void *)((const char *)&docs[i]->person.rich + off))->len > 0)
            return &docs[i]->person.rich;
    return &win->rich;
}

static int merge_person(ef_pidf_t *p, const ef_pidf_t *const *docs, size_t n)
{
    const ef_pidf_person_t *win = latest_person(docs, n);
    ef_pidf_person_t *dst = &p->person;
    struct ef_arena *a = p->arena;
    const ef_str_t *ext[EF_PIDF_MAX_TUPLES];
    size_t n_ext[EF_PIDF_MAX_TUPLES], k = 0;

    if (win == NULL)
        return 0;
    dst->present = true;
    if (ef__pidf_copy_rich(a, &dst->rich, &win->rich) != 0 || ef__pidf_dup(a, &dst->id, win->id) ||
        ef__pidf_dup(a, &dst->timestamp, win->timestamp) != 0 ||
        ef__pidf_copy_notes(a, &dst->notes, &dst->n_notes, win->notes, win->n_notes) != 0)
        return EF_ENOMEM;
    dst->rich.display_name =
        cipid_from(docs, n, win, offsetof(ef_pidf_rich_t, display_name.text))->display_name;
    dst->rich.icon = cipid_from(docs, n, win, offsetof(ef_pidf_rich_t, icon))->icon;
    dst->rich.card = cipid_from(docs, n, win, offsetof(ef_pidf_rich_t, card))->card;
    dst->rich.homepage = cipid_from(docs, n, win, offsetof(ef_pidf_rich_t, homepage))->homepage;
    if (ef__pidf_dup(a, &dst->rich.display_name.text, dst->rich.display_name.text) != 0 ||
        ef__pidf_dup(a, &dst->rich.display_name.lang, dst->rich.display_name.lang) != 0 ||
        ef__pidf_dup(a, &dst->rich.icon, dst->rich.icon) != 0 ||
        ef__pidf_dup(a, &dst->rich.card, dst->rich.card) != 0 ||
        ef__pidf_dup(a, &dst->rich.homepage, dst->rich.homepage) != 0)
        return EF_ENOMEM;
    for (size_t i = 0; i < n && k < EF_PIDF_MAX_TUPLES; i++)
        if (docs[i]->person.present) {
            ext[k] = docs[i]->person.ext;
            n_ext[k++] = docs[i]->person.n_ext;
        }
    return union_strs(a, &dst->ext, &dst->n_ext, ext, n_ext, k);
}

static bool note_eq(const ef_pidf_note_t *a, const ef_pidf_note_t *b)
{
    return str_eq(a->text, b->text) && str_eq(a->lang, b->lang);
}

/* The documents' own notes and extensions, each distinct one once. */
static int merge_presence(ef_pidf_t *p, const ef_pidf_t *const *docs, size_t n)
{
    const ef_str_t *ext[EF_PIDF_MAX_TUPLES];
    size_t n_ext[EF_PIDF_MAX_TUPLES], total = 0;

    for (size_t i = 0; i < n; i++) {
        ext[i] = docs[i]->ext;
        n_ext[i] = docs[i]->n_ext;
        total += docs[i]->n_notes;
    }
    if (union_strs(p->arena, &p->ext, &p->n_ext, ext, n_ext, n) != 0)
        return EF_ENOMEM;
    if (total == 0)
        return 0;
    p->notes = ef__arena_alloc(p->arena, total * sizeof(*p->notes));
    if (p->notes == NULL)
        return EF_ENOMEM;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < docs[i]->n_notes; j++) {
            const ef_pidf_note_t *note = &docs[i]->notes[j];
            size_t m = 0;

            while (m < p->n_notes && !note_eq(&p->notes[m], note))
                m++;
            if (m < p->n_notes || m >= EF_PIDF_MAX_NOTES)
                continue; /* seen, or more than one document may carry */
            if (ef__pidf_dup(p->arena, &p->notes[m].text, note->text) != 0 ||
                ef__pidf_dup(p->arena, &p->notes[m].lang, note->lang) != 0)
                return EF_ENOMEM;
            p->n_notes++;
        }
    return 0;
}

int ef_pidf_compose(const ef_pidf_t *const *docs, size_t n, const void *key, size_t keylen,
                    ef_pidf_t **out)
{
    ef_pidf_t *p;
    int rc;

    if (out == NULL)
        return EF_EINVAL;
    *out = NULL;
    if (docs == NULL || n == 0 || n > EF_PIDF_MAX_TUPLES || key == NULL || keylen < MIN_KEY)
        return EF_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (docs[i] == NULL || docs[i]->entity.len == 0 ||
            !str_eq(docs[i]->entity, docs[0]->entity))
            return EF_EINVAL; /* one presentity (RFC 3903 §6: state is per resource) */
    p = new_doc();
    if (p == NULL)
        return EF_ENOMEM;
    rc = ef__pidf_dup(p->arena, &p->entity, docs[0]->entity);
    if (rc == 0)
        rc = compose_tuples(p, docs, n);
    if (rc == 0)
        rc = rename_tuples(p, key, keylen);
    if (rc == 0)
        rc = merge_person(p, docs, n);
    if (rc == 0)
        rc = merge_presence(p, docs, n);
    if (rc != 0) {
        ef_pidf_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int ef_pidf_closed(ef_str_t entity, const void *key, size_t keylen, ef_pidf_t **out)
{
    ef_pidf_t *p;
    ef_str_t parts[3] = {entity, EF_STR_NULL, {"0", 1}};
    char id[13];

    if (out == NULL)
        return EF_EINVAL;
    *out = NULL;
    if (entity.len == 0 || entity.ptr == NULL || key == NULL || keylen < MIN_KEY)
        return EF_EINVAL;
    p = new_doc();
    if (p == NULL)
        return EF_ENOMEM;
    p->tuples = ef__arena_alloc(p->arena, sizeof(*p->tuples));
    /* The id is made like a composed tuple's, from an id no device can publish (empty). */
    if (p->tuples == NULL || ef__pidf_stable_id(key, keylen, parts, 3, id) != 0 ||
        ef__pidf_dup(p->arena, &p->entity, entity) != 0) {
        ef_pidf_free(p);
        return EF_ENOMEM;
    }
    memset(p->tuples, 0, sizeof(*p->tuples));
    p->n_tuples = 1;
    p->tuples[0].basic = EF_PIDF_BASIC_CLOSED;
    if (ef__pidf_dup(p->arena, &p->tuples[0].id, ef__pidf_cstr(id)) != 0) {
        ef_pidf_free(p);
        return EF_ENOMEM;
    }
    *out = p;
    return 0;
}
