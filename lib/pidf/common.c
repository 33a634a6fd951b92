/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * common.c -- helpers the PIDF decoder, encoder and composer share: names and
 * namespaces, arena copies of a model, the text check before output, the
 * stable random-looking identifiers, and the hand-over of a serialized
 * document to the caller's buffer.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/chvalid.h>
#include <libxml/xmlstring.h>

#include "pidf/pidf_int.h"

bool ef__pidf_is(const xmlNode *node, const char *ns, const char *name)
{
    return node != NULL && node->type == XML_ELEMENT_NODE && node->ns != NULL &&
           node->ns->href != NULL && strcmp((const char *)node->name, name) == 0 &&
           strcmp((const char *)node->ns->href, ns) == 0;
}

/* RFC 3863 §4.1.5: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ). */
bool ef__pidf_is_qvalue(ef_str_t q)
{
    size_t i;

    if (q.len == 0 || q.len > 5 || (q.ptr[0] != '0' && q.ptr[0] != '1'))
        return false;
    if (q.len == 1)
        return true;
    if (q.ptr[1] != '.')
        return false;
    for (i = 2; i < q.len; i++)
        if (q.ptr[i] < '0' || q.ptr[i] > (q.ptr[0] == '1' ? '0' : '9'))
            return false;
    return true;
}

int ef__pidf_dup(struct ef_arena *a, ef_str_t *dst, ef_str_t s)
{
    char *p;

    if (s.len == 0) {
        *dst = (ef_str_t){"", 0};
        return 0;
    }
    p = ef__arena_strndup(a, s.ptr, s.len);
    if (p == NULL)
        return EF_ENOMEM;
    *dst = (ef_str_t){p, s.len};
    return 0;
}

static int copy_strs(struct ef_arena *a, ef_str_t **dst, size_t *n, const ef_str_t *src, size_t ns)
{
    *n = 0;
    if (ns == 0)
        return 0;
    *dst = ef__arena_alloc(a, ns * sizeof(**dst));
    if (*dst == NULL)
        return EF_ENOMEM;
    for (; *n < ns; (*n)++)
        if (ef__pidf_dup(a, &(*dst)[*n], src[*n]) != 0)
            return EF_ENOMEM;
    return 0;
}

int ef__pidf_copy_notes(struct ef_arena *a, ef_pidf_note_t **dst, size_t *n,
                        const ef_pidf_note_t *src, size_t n_src)
{
    *n = 0;
    if (n_src == 0)
        return 0;
    *dst = ef__arena_alloc(a, n_src * sizeof(**dst));
    if (*dst == NULL)
        return EF_ENOMEM;
    for (; *n < n_src; (*n)++)
        if (ef__pidf_dup(a, &(*dst)[*n].text, src[*n].text) != 0 ||
            ef__pidf_dup(a, &(*dst)[*n].lang, src[*n].lang) != 0)
            return EF_ENOMEM;
    return 0;
}

static int copy_set(struct ef_arena *a, ef_rpid_set_t *dst, const ef_rpid_set_t *src)
{
    *dst = (ef_rpid_set_t){.present = src->present};
    if (ef__pidf_dup(a, &dst->id, src->id) != 0 || ef__pidf_dup(a, &dst->from, src->from) != 0 ||
        ef__pidf_dup(a, &dst->until, src->until) != 0 ||
        ef__pidf_copy_notes(a, &dst->notes, &dst->n_notes, src->notes, src->n_notes) != 0 ||
        copy_strs(a, &dst->ext, &dst->n_ext, src->ext, src->n_ext) != 0)
        return EF_ENOMEM;
    if (src->n_tokens == 0)
        return 0;
    dst->tokens = ef__arena_alloc(a, src->n_tokens * sizeof(*dst->tokens));
    if (dst->tokens == NULL)
        return EF_ENOMEM;
    for (; dst->n_tokens < src->n_tokens; dst->n_tokens++) {
        const ef_rpid_token_t *s = &src->tokens[dst->n_tokens];
        ef_rpid_token_t *t = &dst->tokens[dst->n_tokens];

        if (ef__pidf_dup(a, &t->name, s->name) != 0 || ef__pidf_dup(a, &t->text, s->text) != 0 ||
            ef__pidf_dup(a, &t->lang, s->lang) != 0)
            return EF_ENOMEM;
    }
    return 0;
}

int ef__pidf_copy_rich(struct ef_arena *a, ef_pidf_rich_t *dst, const ef_pidf_rich_t *src)
{
    if (copy_set(a, &dst->activities, &src->activities) != 0 ||
        copy_set(a, &dst->mood, &src->mood) != 0 ||
        ef__pidf_dup(a, &dst->display_name.text, src->display_name.text) != 0 ||
        ef__pidf_dup(a, &dst->display_name.lang, src->display_name.lang) != 0 ||
        ef__pidf_dup(a, &dst->icon, src->icon) != 0 ||
        ef__pidf_dup(a, &dst->card, src->card) != 0 ||
        ef__pidf_dup(a, &dst->homepage, src->homepage) != 0)
        return EF_ENOMEM;
    return 0;
}

int ef__pidf_copy_tuple(struct ef_arena *a, ef_pidf_tuple_t *dst, const ef_pidf_tuple_t *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->basic = src->basic;
    if (ef__pidf_dup(a, &dst->id, src->id) != 0 ||
        copy_strs(a, &dst->status_ext, &dst->n_status_ext, src->status_ext, src->n_status_ext) !=
            0 ||
        ef__pidf_copy_rich(a, &dst->rich, &src->rich) != 0 ||
        copy_strs(a, &dst->ext, &dst->n_ext, src->ext, src->n_ext) != 0 ||
        ef__pidf_dup(a, &dst->contact, src->contact) != 0 ||
        ef__pidf_dup(a, &dst->priority, src->priority) != 0 ||
        ef__pidf_copy_notes(a, &dst->notes, &dst->n_notes, src->notes, src->n_notes) != 0 ||
        ef__pidf_dup(a, &dst->timestamp, src->timestamp) != 0)
        return EF_ENOMEM;
    return 0;
}

int ef__pidf_stable_id(const void *key, size_t keylen, const ef_str_t *parts, size_t n,
                       char out[13])
{
    static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
    unsigned char md[EVP_MAX_MD_SIZE], *msg;
    unsigned int mdlen = 0;
    size_t len = 0;
    uint64_t bits = 0;

    for (size_t i = 0; i < n; i++)
        len += parts[i].len + 1;
    msg = malloc(len + 1);
    if (msg == NULL)
        return EF_ENOMEM;
    len = 0;
    for (size_t i = 0; i < n; i++) {
        if (parts[i].len > 0)
            memcpy(msg + len, parts[i].ptr, parts[i].len);
        len += parts[i].len;
        msg[len++] = '\0'; /* a separator no part contains */
    }
    if (HMAC(EVP_sha256(), key, (int)keylen, msg, len, md, &mdlen) == NULL || mdlen < 8) {
        free(msg);
        return EF_ENOMEM;
    }
    free(msg);
    for (int i = 0; i < 8; i++)
        bits = bits << 8 | md[i];
    /* A letter first: an XML ID (and RFC 3863's examples) start with one. */
    out[0] = b32[bits % 26];
    for (int i = 1; i < 12; i++, bits >>= 5)
        out[i] = b32[bits & 31];
    out[12] = '\0';
    return 0;
}

char *ef__pidf_text(ef_str_t s, int *rc)
{
    char *t = malloc(s.len + 1);
    size_t i = 0;

    if (t == NULL) {
        *rc = EF_ENOMEM;
        return NULL;
    }
    if (s.len > 0)
        memcpy(t, s.ptr, s.len);
    t[s.len] = '\0';
    /* Only XML characters (XML 1.0 §2.2), or the output would not parse again. */
    while (i < s.len) {
        int len = (int)(s.len - i > 4 ? 4 : s.len - i);
        int c = xmlGetUTF8Char((const unsigned char *)t + i, &len);

        if (c < 0 || len <= 0 || !xmlIsCharQ(c)) {
            free(t);
            *rc = EF_EINVAL;
            return NULL;
        }
        i += (size_t)len;
    }
    return t;
}

int ef__pidf_dump(xmlDocPtr doc, ef_buf_t *out)
{
    xmlChar *mem = NULL;
    int size = 0;

    xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
    if (mem == NULL || size < 0) {
        xmlFree(mem);
        return EF_ENOMEM;
    }
    if ((size_t)size > out->max - (out->len < out->max ? out->len : out->max)) {
        xmlFree(mem);
        return EF_E2BIG;
    }
    ef_buf_append(out, (const char *)mem, (size_t)size);
    xmlFree(mem);
    return out->failed ? EF_ENOMEM : 0;
}
