/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * workflow.h -- the review of a new Enumservice registration, RFC 6117 §6, §7
 * and §11, kept in the registry database (enumfed/registry.h): a Registration
 * Document's template is submitted, the IETF community is asked for comments
 * for two to four weeks (§6.3), it goes to IANA (§6.4) and Expert Review
 * (§6.5, §7.2), is approved, sent back for changes or rejected, published as
 * Specification Required (§6.6) and finally added to the registry (§6.7,
 * §11.6), with an escrow copy of a non-RFC specification (§11.3).
 *
 *   written --comments--> comments-requested --iana--> submitted-to-iana
 *     --expert start--> expert-review --approve--> approved --publish-->
 *     published --register--> registered
 *   expert-review --changes--> changes-required --revise--> expert-review
 *   expert-review --reject--> rejected (the review ends, §6.5.3)
 *   comments-requested --comments--> comments-requested (§6.3.3)
 *   revise keeps written and comments-requested (§6.3.2) and sends an
 *   approved document back to expert-review (§11.6.1: substantial changes
 *   need the experts' approval)
 *
 * Every step is one transaction that also writes who took it and when to the
 * history; a step that is not allowed from the current state, or fails part
 * way, changes nothing. Timestamps are UTC, "YYYY-MM-DDTHH:MM:SSZ", and never
 * go backwards within one review.
 */
#ifndef ENUMFED_WORKFLOW_H
#define ENUMFED_WORKFLOW_H

#include <stdint.h>

#include "enumfed/common.h"
#include "enumfed/registry.h"
#include "enumfed/template.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest name in "by" and longest note, in bytes (longer ones are refused). */
#define EF_WF_BY_MAX 127
#define EF_WF_NOTE_MAX 1023
/** A comment window shorter than this is refused, longer than EF_WF_WINDOW_LONG warned (§6.3). */
#define EF_WF_WINDOW_MIN 14
#define EF_WF_WINDOW_LONG 28

/** The states of a review (§6). */
typedef enum {
    EF_WF_WRITTEN,    /**< "written": Step 2, the document is written and submitted */
    EF_WF_COMMENTS,   /**< "comments-requested": Step 3 */
    EF_WF_IANA,       /**< "submitted-to-iana": Step 4 */
    EF_WF_EXPERT,     /**< "expert-review": Step 5 */
    EF_WF_APPROVED,   /**< "approved": §6.5.1 */
    EF_WF_CHANGES,    /**< "changes-required": §6.5.2 */
    EF_WF_REJECTED,   /**< "rejected": §6.5.3, final */
    EF_WF_PUBLISHED,  /**< "published": Step 6, Specification Required */
    EF_WF_REGISTERED, /**< "registered": Step 7, final */
    EF_WF_STATE_COUNT
} ef_wf_state_t;

/** The experts' outcomes of §6.5. */
typedef enum { EF_WF_APPROVE, EF_WF_REQUIRE_CHANGES, EF_WF_REJECT } ef_wf_decision_t;

/** Who takes a step, and when. */
typedef struct {
    const char *by;   /**< required, 1 to EF_WF_BY_MAX bytes */
    const char *at;   /**< "YYYY-MM-DD" (midnight UTC) or NULL for now */
    const char *note; /**< may be NULL; required for changes-required and reject */
} ef_wf_actor_t;

/** One review as stored. */
typedef struct {
    int64_t id;
    char name[80]; /**< "type" or "type:subtype" as submitted */
    ef_wf_state_t state;
    char comments_from[11]; /**< the latest comment window, "" when none */
    char comments_to[11];
    char spec_sha256[65]; /**< the specification for escrow, "" when none given */
    char created[21], updated[21];
} ef_wf_review_t;

/** One step of a review's history. */
typedef struct {
    char from[24]; /**< state name, "" for the submission */
    char to[24];
    char by[EF_WF_BY_MAX + 1];
    char at[21];
    char note[EF_WF_NOTE_MAX + 1]; /**< "" when none */
} ef_wf_event_t;

/** What the automatic checklist says about an item. */
typedef enum {
    EF_WF_PASS, /**< checked, nothing to report */
    EF_WF_INFO, /**< a fact for the expert (a similar Enumservice, ...) */
    EF_WF_WARN, /**< a rule probably not followed: the expert decides */
    EF_WF_FAIL, /**< a rule not followed */
    EF_WF_OPEN  /**< a question only the human expert can answer */
} ef_wf_verdict_t;

/** One checklist item. code and section are static strings. */
typedef struct {
    const char *code; /**< stable: "template", "clash", "similar", "loop", ... */
    ef_wf_verdict_t verdict;
    const char *section; /**< e.g. "RFC 6117 §7.2" */
    char text[320];
} ef_wf_item_t;

/** "written", "comments-requested", ... (static); "unknown" when out of range. */
const char *ef_wf_state_name(ef_wf_state_t state);

/** "pass", "info", "warn", "fail", "open" (static). */
const char *ef_wf_verdict_name(ef_wf_verdict_t verdict);

/**
 * Start a review with the template file at path, which must hold exactly one
 * <record> and pass ef_tpl_check_file without errors (§11.8: such requests are
 * rejected before Expert Review); its findings go to out.
 * @param id  the new review's number
 * @return 0; EF_EINVAL / EF_ESYNTAX when refused (errbuf says why); -errno;
 *         EF_E2BIG; EF_ECONFIG on a database error (nothing changed)
 */
int ef_wf_submit(ef_reg_t *reg, const char *path, const ef_wf_actor_t *who, int64_t *id,
                 ef_tpl_finding_t *out, size_t cap, size_t *n_out, char *errbuf, size_t errcap);

/**
 * A revised template for the same Type:Subtype (§6.3.2, §6.3.3, §6.5.2, §11.6.1).
 * @return as ef_wf_submit; EF_ENODATA for an unknown review; EF_EINVAL when
 *         not allowed in the current state
 */
int ef_wf_revise(ef_reg_t *reg, int64_t id, const char *path, const ef_wf_actor_t *who,
                 ef_tpl_finding_t *out, size_t cap, size_t *n_out, char *errbuf, size_t errcap);

/**
 * Comments requested from the IETF community from `from` to `to` ("YYYY-MM-DD"),
 * §6.3: windows under EF_WF_WINDOW_MIN days are refused; *long_window (may be
 * NULL) is set when the window is over EF_WF_WINDOW_LONG days. The window may
 * not start before the review's last step.
 * @return 0; EF_EINVAL when refused; EF_ENODATA; EF_ECONFIG
 */
int ef_wf_comments(ef_reg_t *reg, int64_t id, const char *from, const char *to,
                   const ef_wf_actor_t *who, bool *long_window, char *errbuf, size_t errcap);

/** Submitted to IANA (§6.4), once the comment window has ended. Errors as ef_wf_comments. */
int ef_wf_iana(ef_reg_t *reg, int64_t id, const ef_wf_actor_t *who, char *errbuf, size_t errcap);

/** Expert Review begins (§6.5, §11.5). Errors as ef_wf_comments. */
int ef_wf_expert_start(ef_reg_t *reg, int64_t id, const ef_wf_actor_t *who, char *errbuf,
                       size_t errcap);

/** The experts' outcome (§6.5.1 - §6.5.3). Errors as ef_wf_comments. */
int ef_wf_decide(ef_reg_t *reg, int64_t id, ef_wf_decision_t decision, const ef_wf_actor_t *who,
                 char *errbuf, size_t errcap);

/**
 * The approved document is published (§6.6). spec_path (may be NULL) is the
 * published specification, kept for the escrow copy when it is not an RFC
 * (§11.3, §11.6.2). Errors as ef_wf_comments; -errno, EF_E2BIG for spec_path.
 */
int ef_wf_publish(ef_reg_t *reg, int64_t id, const char *spec_path, const ef_wf_actor_t *who,
                  char *errbuf, size_t errcap);

/**
 * Add the Enumservice to the registry (§6.7, §11.6) in the same transaction as
 * the step: an identical Type:Subtype already registered is an update (§11.4,
 * §5.3). A non-RFC specification needs its escrow copy, from spec_path or from
 * publish (§11.3). stats (may be NULL) says what the registry import did.
 * Errors as ef_wf_publish.
 */
int ef_wf_register(ef_reg_t *reg, int64_t id, const char *spec_path, const ef_wf_actor_t *who,
                   ef_reg_stats_t *stats, char *errbuf, size_t errcap);

/** One review. @return 0; EF_ENODATA; EF_ECONFIG */
int ef_wf_get(ef_reg_t *reg, int64_t id, ef_wf_review_t *out);

/** Every review in order of id: capacity in, count out. @return 0; EF_E2BIG; EF_ECONFIG */
int ef_wf_list(ef_reg_t *reg, ef_wf_review_t *out, size_t cap, size_t *n_out);

/** The history of one review, oldest first. @return 0; EF_ENODATA; EF_E2BIG; EF_ECONFIG */
int ef_wf_history(ef_reg_t *reg, int64_t id, ef_wf_event_t *out, size_t cap, size_t *n_out);

/**
 * The automatic checklist of §7.2 for a review: the template check, a clash
 * with a registered Type:Subtype (§11.4) or another request (§11.5), similar
 * Enumservices (same Type, Type within edit distance 2, same URI Scheme), the
 * Class rules a program can judge (§4.2, §5.2.1, §11.8), tel URIs and query
 * loops (§5.5, §7.2), the escrow copy (§11.3), then the questions only the
 * expert can answer.
 * @return 0; EF_E2BIG when there were more than cap items (out holds the
 *         first cap); EF_ENODATA; EF_ENOMEM; EF_ECONFIG
 */
int ef_wf_checklist(ef_reg_t *reg, int64_t id, ef_wf_item_t *out, size_t cap, size_t *n_out);

/** Levenshtein distance of a and b compared case-insensitively (used for "similar"). */
size_t ef_wf_edit_distance(const char *a, const char *b);

#ifdef __cplusplus
}
#endif

#endif
