/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sdp.h -- a reader of Session Description Protocol bodies (RFC 8866) as far
 * as a SIP federation edge needs them: the fixed fields of v=, o=, s=, c=, t=
 * and m= (media, port, proto and format list) and the a= attributes, with
 * every other line of a known type kept as it is. Like the SIP parser it
 * never writes into the input and never allocates: the lines go into an array
 * the caller supplies, every result is a slice of the input.
 *
 * Session-mode IM by MESSAGE inside an INVITE dialog offers
 * "m=message 5060 sip sip:user@host" (draft-levin-simple-interdomain §6.3.2):
 * the format there is a SIP URI, which the token grammar of RFC 8866 <fmt>
 * does not allow, so formats are read as any run of visible characters.
 *
 * The writer helpers append to the growable buffer of sip_build.h: a
 * capability description (RFC 3264 §9) and a copy of a description with one
 * attribute added to chosen media sections.
 */
#ifndef ENUMFED_SDP_H
#define ENUMFED_SDP_H

#include "enumfed/common.h"
#include "enumfed/sip_build.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EF_SDP_MAX_SIZE 65535 /* bytes of one description */
#define EF_SDP_MAX_LINE 4096  /* bytes of one line, its line end excluded */
#define EF_SDP_MAX_MEDIA 32   /* m= lines */
#define EF_SDP_MAX_FMTS 64    /* formats on one m= line */

/** One line: its type letter and the value after "x=", line end excluded. */
typedef struct {
    char type;
    ef_str_t value;
} ef_sdp_line_t;

/** One media description: the m= line, split, and where its lines are. */
typedef struct {
    ef_str_t media;   /**< "audio", "message", ... */
    unsigned port;    /**< 0..65535; 0 = the stream is rejected or disabled */
    unsigned n_ports; /**< the "/<number of ports>" suffix, 0 when absent */
    ef_str_t proto;   /**< "RTP/AVP", "sip", ... */
    size_t n_fmts;    /**< formats in fmts[] (0 only for "message ... sip") */
    ef_str_t fmts[EF_SDP_MAX_FMTS];
    size_t line; /**< index of the m= line in lines[] */
    size_t end;  /**< index one past the last line of the section */
} ef_sdp_media_t;

/** A parsed description. Slices point into the parsed buffer. */
typedef struct {
    ef_sdp_line_t *lines; /**< the caller's array: every line, in order */
    size_t n_lines;
    /* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> */
    ef_str_t o_user, o_sess_id, o_sess_version, o_nettype, o_addrtype, o_address;
    ef_str_t session_name; /**< s= */
    ef_str_t connection;   /**< session-level c= value, ptr NULL when absent */
    size_t session_end;    /**< index of the first m= line (n_lines when none) */
    size_t n_media;
    ef_sdp_media_t media[EF_SDP_MAX_MEDIA];
} ef_sdp_t;

/**
 * Parse a description (RFC 8866 §5, §9). Lines end in CRLF, or LF alone
 * (§5: parsers SHOULD accept it); the last line may lack its line end. The
 * order v=, o=, s= is required, then at least one t= before the first m=;
 * a type letter other than those of RFC 8866 makes the whole description
 * unusable (§5: MUST ignore it), so it is an error here.
 *
 * @param lines, max_lines  the caller's array of lines (capacity in, out->n_lines out)
 * @param err   optional: offset and a precise reason on error
 * @return 0; EF_ESYNTAX (malformed); EF_E2BIG (a limit above, or more lines than max_lines)
 */
int ef_sdp_parse(const char *buf, size_t len, ef_sdp_t *out, ef_sdp_line_t *lines, size_t max_lines,
                 ef_perr_t *err);

/**
 * The value of attribute `name` (case-sensitive, RFC 8866 §5.13) in one
 * part of the description: media index m, or the session level when m is
 * (size_t)-1.
 * @param value  set to the text after ':' (empty for a property attribute); may be NULL
 * @return true when present
 */
bool ef_sdp_attr(const ef_sdp_t *sdp, size_t m, const char *name, ef_str_t *value);

/** The index of the first m= line whose media is `media` and proto is `proto`, or -1. */
long ef_sdp_find_media(const ef_sdp_t *sdp, const char *media, const char *proto);

/**
 * Append a capability description (RFC 3264 §9: t=0 0, port zero) with one
 * "m=message 0 sip <uri>" line (draft-levin-simple-interdomain §6.3.2), for
 * OPTIONS and 488 responses.
 * @param user, sess_id, address  the o= fields (address IPv4 or IPv6)
 * @param uri  the format: the SIP URI that takes MESSAGEs; may be NULL (left out)
 */
void ef_sdp_write_capability(ef_buf_t *out, const char *user, uint64_t sess_id, const char *address,
                             const char *uri);

/**
 * Append a copy of the parsed description buf with "a=<attr>" added at the
 * end of every media section whose media is `media` (every section when
 * NULL) that does not hold an attribute of the same name yet. Line ends are
 * written as CRLF.
 * @return the number of sections changed (0: the copy is the same text)
 */
size_t ef_sdp_write_with_attr(ef_buf_t *out, const ef_sdp_t *sdp, const char *media,
                              const char *attr);

#ifdef __cplusplus
}
#endif

#endif
