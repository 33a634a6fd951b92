/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_sdp.c -- libFuzzer target for lib/sip/sdp.c. The input is an SDP body
 * as a peer sends it in an INVITE or a 2xx. When ef_sdp_parse() refuses it,
 * the error must be one of ours with a reason and an offset within the input.
 * When it accepts it, every line and field must lie within the input, the
 * media sections must tile the lines after the session level in order, and
 * a copy with an attribute added must parse again with that attribute in
 * every section and the same number of media sections.
 */
#include <stdlib.h>
#include <string.h>

#include "enumfed/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LINES 512

static void check_slice(ef_str_t s, const char *buf, size_t size)
{
    if (s.ptr == NULL) {
        if (s.len != 0)
            abort();
        return;
    }
    if (s.ptr < buf || s.len > size || (size_t)(s.ptr - buf) > size - s.len)
        abort();
}

static void check_parsed(const ef_sdp_t *sdp, const char *buf, size_t size)
{
    if (sdp->n_lines < 3 || sdp->n_lines > LINES || sdp->n_media > EF_SDP_MAX_MEDIA ||
        sdp->session_end > sdp->n_lines)
        abort();
    for (size_t i = 0; i < sdp->n_lines; i++) {
        check_slice(sdp->lines[i].value, buf, size);
        if (sdp->lines[i].value.len > EF_SDP_MAX_LINE)
            abort();
    }
    size_t at = sdp->session_end;
    for (size_t m = 0; m < sdp->n_media; m++) {
        const ef_sdp_media_t *md = &sdp->media[m];
        if (md->line != at || md->end <= md->line || md->end > sdp->n_lines ||
            sdp->lines[md->line].type != 'm' || md->n_fmts > EF_SDP_MAX_FMTS || md->port > 65535)
            abort();
        check_slice(md->media, buf, size);
        check_slice(md->proto, buf, size);
        for (size_t f = 0; f < md->n_fmts; f++)
            check_slice(md->fmts[f], buf, size);
        at = md->end;
    }
    if (at != sdp->n_lines)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ef_sdp_line_t lines[LINES], lines2[LINES + EF_SDP_MAX_MEDIA];
    const char *buf = (const char *)data;
    ef_sdp_t sdp, again;
    ef_perr_t err = {0, NULL};
    ef_buf_t out;

    int rc = ef_sdp_parse(buf, size, &sdp, lines, LINES, &err);
    if (rc != 0) {
        if ((rc != EF_ESYNTAX && rc != EF_E2BIG) || err.reason == NULL || err.offset > size)
            abort();
        return 0;
    }
    check_parsed(&sdp, buf, size);
    ef_buf_init(&out, 2 * EF_SDP_MAX_SIZE);
    size_t added = ef_sdp_write_with_attr(&out, &sdp, NULL, "record:on");
    if (added > sdp.n_media || out.failed)
        abort();
    /* the copy may only grow past the size limit, or its lines past the array */
    rc = ef_sdp_parse(out.data, out.len, &again, lines2, LINES + EF_SDP_MAX_MEDIA, &err);
    if (rc != 0 && !(rc == EF_E2BIG && out.len > EF_SDP_MAX_SIZE))
        abort();
    if (rc == 0) {
        if (again.n_media != sdp.n_media || again.n_lines != sdp.n_lines + added)
            abort();
        for (size_t m = 0; m < again.n_media; m++)
            if (!ef_sdp_attr(&again, m, "record", NULL))
                abort();
    }
    ef_buf_close(&out);
    return 0;
}
